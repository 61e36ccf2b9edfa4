package dev.runline.cpu;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.Work;
import dev.runline.compute.ComputeHandlers;
import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.VectorSearchKernel;
import dev.runline.cpu.compute.ComputePool;
import dev.runline.cpu.compute.CpuMatmul;
import dev.runline.cpu.compute.CpuVectorSearch;
import dev.runline.spi.BackendContext;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed pool of Java worker threads per endpoint ({@link WorkerPool}), each running one
 * job at a time through the endpoint's handler.
 *
 * <p>A kernel endpoint's jobs run through the kernel's shared handler
 * ({@link ComputeHandlers}) with the CPU kernels of {@code dev.runline.cpu.compute}, which
 * split each job over the {@link ComputePool}; a vector-search worker takes the jobs
 * waiting at once as one batch.
 */
final class CpuBackend extends WorkerPool {
  private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
  private static final int MAX_BATCH_JOBS = 64;

  /** The handler each job runs: the endpoint's, or a matmul kernel's; {@code null} for vector search. */
  private final Handler handler;
  /** A vector-search endpoint's kernel, whose jobs run in batches, or {@code null}. */
  private final VectorSearchKernel searchKernel;
  private final KernelSettings kernelSettings;

  CpuBackend(BackendContext context) {
    super(context, "cpu");
    Endpoint definition = context.endpoint();
    if (!(definition.work() instanceof Work.Kernel)) {
      if (!definition.backendSettings().isEmpty()) {
        throw new IllegalArgumentException("backend 'cpu' of endpoint '" + definition.name()
            + "' takes no backendSettings, got " + definition.backendSettings().keySet()
            + "; set 'workers' on the endpoint to size its pool (only kernel endpoints have settings: "
            + Kernel.names() + ")");
      }
      this.handler = context.handler();
      this.searchKernel = null;
      this.kernelSettings = null;
    } else {
      this.kernelSettings = KernelSettings.of(definition, List.of());
      if (kernelSettings.kernel() == Kernel.VECTOR_SEARCH) {
        this.searchKernel = new CpuVectorSearch(kernelSettings.loadIndex(), ComputePool.shared());
        this.handler = null;
        LOG.info("endpoint '{}': vector-search over {} on the cpu backend", definition.name(), searchKernel);
      } else {
        this.searchKernel = null;
        this.handler = ComputeHandlers.matmul(new CpuMatmul(ComputePool.shared()), kernelSettings);
      }
    }
    startWorkers();
  }

  @Override
  protected void work(Worker worker, QueuedJob first) {
    if (searchKernel == null) {
      worker.start(first).ifPresent(attempt -> attempt.run(handler));
      return;
    }
    // The jobs waiting behind the first, searched together: the index passes through the
    // cache once for all of them, and the answers are those of one search per job.
    List<QueuedJob> batch = new ArrayList<>();
    batch.add(first);
    for (QueuedJob next; batch.size() < MAX_BATCH_JOBS && (next = worker.poll()) != null; ) {
      batch.add(next);
    }
    ComputeHandlers.runVectorSearch(worker.startAll(batch), searchKernel, kernelSettings, kernelSettings.maxQueries());
  }
}
