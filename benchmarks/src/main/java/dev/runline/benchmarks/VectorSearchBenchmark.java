package dev.runline.benchmarks;

import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.spi.BackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
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
 * Vector-search jobs through the engine: {@code batch} jobs of one query each (index
 * 100,000 × 64, k = 10) submitted together with {@code runSync}, then awaited. One
 * operation is one batch, so jobs per second = score × {@code batch}.
 *
 * <p>{@code backend}: {@code cpu} or {@code cuda}. {@code launch}: {@code batched} lets the
 * backend compute the jobs that wait together at once (the cuda backend's dynamic batching,
 * up to 1024 jobs a launch; the cpu backend's per-worker batch); {@code perJob} limits the
 * cuda backend to one job a launch ({@code maxBatch: 1}), what a backend without batching
 * would do. The default parameters are the points every machine can run (cpu, batched, 1
 * and 64 jobs); a GPU host runs the whole grid:
 * {@code -p backend=cpu,cuda -p launch=batched,perJob -p batch=1,16,256,1024}
 * (a cuda point fails at setup, naming the cause, where no usable GPU is present; cpu has
 * no perJob point).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class VectorSearchBenchmark {
  static final int N = 100_000;
  static final int D = 64;

  @Param({"cpu"})
  public String backend;

  @Param({"batched"})
  public String launch;

  @Param({"1", "64"})
  public int batch;

  private Runline engine;
  private List<JobRequest> requests;

  @Setup(Level.Trial)
  public void start() {
    if (backend.equals("cuda") && !available("cuda")) {
      throw new IllegalStateException("no usable CUDA GPU here: run the cuda points on a GPU host");
    }
    if (backend.equals("cpu") && launch.equals("perJob")) {
      throw new IllegalStateException("the cpu backend has no per-job launch to compare: use launch=batched");
    }
    Endpoint.Builder endpoint = Endpoint.builder("search").kernel("vector-search").backend(backend)
        .workers(backend.equals("cuda") ? 2 : 1)
        .queueCapacity(4096)
        .unlimited()
        .backendSetting("index", Map.of("n", N, "d", D, "seed", 42))
        .backendSetting("maxQueries", 1024);
    if (backend.equals("cuda")) {
      endpoint.backendSetting("maxBatch", launch.equals("perJob") ? 1 : 1024);
    }
    engine = Runline.builder().endpoint(endpoint.build()).build();
    SplittableRandom random = new SplittableRandom(7);
    requests = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      List<Double> query = new ArrayList<>(D);
      for (int j = 0; j < D; j++) {
        query.add(random.nextDouble(-1, 1));
      }
      requests.add(JobRequest.of(Map.of("query", query, "k", 10)));
    }
  }

  private static boolean available(String name) {
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
      if (provider.name().equals(name)) {
        return provider.isAvailable();
      }
    }
    return false;
  }

  /** One batch of {@code batch} jobs, submitted together and awaited; returns how many completed. */
  @Benchmark
  public int batchOfJobs() {
    List<CompletableFuture<JobStatus>> results = new ArrayList<>(batch);
    for (JobRequest request : requests) {
      results.add(engine.as(null).endpoint("search").runSync(request, Duration.ofSeconds(60)));
    }
    int completed = 0;
    for (CompletableFuture<JobStatus> result : results) {
      JobStatus status = result.join();
      if (status.status() != Status.COMPLETED) {
        throw new IllegalStateException("job " + status.id() + " ended " + status.status() + ": " + status.error());
      }
      completed++;
    }
    return completed;
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (engine != null) {
      engine.close();
    }
  }
}
