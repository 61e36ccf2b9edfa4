package dev.runline.benchmarks;

import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorIndex;
import dev.runline.cuda.CudaNative;
import dev.runline.cuda.CudaVectorSearch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CUDA vector-search kernel alone, without the engine: one launch of {@code batch}
 * ready queries (a float matrix in host memory) against the resident index (100,000 × 64,
 * k = 10), results back in host memory, on one worker's stream. This is the shape
 * {@code benchmarks/torch-reference.py} times in PyTorch, so its queries per second
 * (score × batch) compare with PyTorch's directly, while {@code VectorSearchBenchmark} adds
 * what the engine does per job ({@link CudaVectorSearch}). It needs a usable CUDA GPU (it
 * fails at setup, naming the cause, elsewhere).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class VectorSearchKernelBenchmark {
  @Param({"1", "16", "256", "1024"})
  public int batch;

  private CudaVectorSearch search;
  private Matrix queries;

  @Setup(Level.Trial)
  public void open() {
    if (!CudaNative.isAvailable()) {
      throw new IllegalStateException("no usable CUDA GPU here: " + CudaNative.unavailabilityCause().getMessage());
    }
    KernelSettings settings = KernelSettings.parse(Kernel.VECTOR_SEARCH,
        Map.of("index", Map.of("n", 100_000, "d", 64, "seed", 42), "maxQueries", 1024), List.of());
    search = CudaVectorSearch.open(0, settings);
    queries = VectorIndex.generate(batch, 64, 7).vectors();
  }

  /** One launch of {@code batch} queries; queries per second = score × batch. */
  @Benchmark
  public TopK launch() throws InterruptedException {
    return search.search(queries, 10);
  }

  @TearDown(Level.Trial)
  public void close() {
    if (search != null) {
      search.close();
    }
  }
}
