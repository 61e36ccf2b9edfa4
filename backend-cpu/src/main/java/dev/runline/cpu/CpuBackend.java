package dev.runline.cpu;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.Health;
import dev.runline.Work;
import dev.runline.compute.ComputeHandlers;
import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.VectorSearchKernel;
import dev.runline.cpu.compute.ComputePool;
import dev.runline.cpu.compute.CpuMatmul;
import dev.runline.cpu.compute.CpuVectorSearch;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WaitingJobs;
import dev.runline.spi.WorkerThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed pool of worker threads per endpoint, taking jobs from {@link WaitingJobs}: a
 * normal-priority job first whenever one waits.
 *
 * <p>A kernel endpoint's jobs run through the kernel's shared handler
 * ({@link ComputeHandlers}) with the CPU kernels of {@code dev.runline.cpu.compute}, which
 * split each job over the {@link ComputePool}; a vector-search worker takes the jobs
 * waiting at once as one batch.
 */
final class CpuBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
  private static final long JOIN_MILLIS = 10_000;
  private static final int MAX_BATCH_JOBS = 64;

  private final WaitingJobs waiting = new WaitingJobs();
  private final AtomicInteger busy = new AtomicInteger();
  /** Each worker's job while it runs one, for telling busy workers from stuck ones. */
  private final AtomicReferenceArray<QueuedJob> current;
  private final Thread[] workers;
  private final String endpoint;
  /** A kernel endpoint's handler (matmul), or {@code null}. */
  private final Handler handler;
  /** A vector-search endpoint's kernel, whose jobs run in batches, or {@code null}. */
  private final VectorSearchKernel searchKernel;
  private final KernelSettings kernelSettings;
  private volatile boolean stopping;

  CpuBackend(BackendContext context) {
    Endpoint definition = context.endpoint();
    this.endpoint = definition.name();
    if (!(definition.work() instanceof Work.Kernel)) {
      if (!definition.backendSettings().isEmpty()) {
        throw new IllegalArgumentException("backend 'cpu' of endpoint '" + endpoint
            + "' takes no backendSettings, got " + definition.backendSettings().keySet()
            + "; set 'workers' on the endpoint to size its pool (only kernel endpoints have settings: "
            + Kernel.names() + ")");
      }
      this.handler = null;
      this.searchKernel = null;
      this.kernelSettings = null;
    } else {
      this.kernelSettings = KernelSettings.of(definition, List.of());
      if (kernelSettings.kernel() == Kernel.VECTOR_SEARCH) {
        this.searchKernel = new CpuVectorSearch(kernelSettings.loadIndex(), ComputePool.shared());
        this.handler = null;
        LOG.info("endpoint '{}': vector-search over {} on the cpu backend", endpoint, searchKernel);
      } else {
        this.searchKernel = null;
        this.handler = ComputeHandlers.matmul(new CpuMatmul(ComputePool.shared()), kernelSettings);
      }
    }
    ThreadFactory threads = context.threadFactory("cpu");
    this.workers = new Thread[context.endpoint().workers()];
    this.current = new AtomicReferenceArray<>(workers.length);
    for (int i = 0; i < workers.length; i++) {
      String workerId = "cpu-" + endpoint + "-" + i;
      int slot = i;
      workers[i] = threads.newThread(() -> work(workerId, slot));
    }
    for (Thread worker : workers) {
      worker.start();
    }
  }

  @Override
  public void dispatch(List<QueuedJob> batch) {
    waiting.addAll(batch);
  }

  private void work(String workerId, int slot) {
    while (!stopping) {
      QueuedJob job;
      try {
        job = waiting.take();
      } catch (InterruptedException e) {
        continue;
      }
      busy.incrementAndGet();
      current.set(slot, job);
      try {
        if (searchKernel != null) {
          searchBatch(workerId, job);
        } else if (handler != null) {
          job.run(workerId, handler);
        } else {
          job.run(workerId);
        }
      } catch (Throwable e) {
        LOG.error("worker {} of endpoint '{}': job {} escaped its handler", workerId, endpoint, job.id(), e);
      } finally {
        current.set(slot, null);
        busy.decrementAndGet();
      }
    }
  }

  /**
   * Runs {@code first} with the jobs waiting behind it (up to {@value #MAX_BATCH_JOBS}) as
   * one batch: their queries are searched together, so the index passes through the cache
   * once for all of them. The answers are those of one search per job.
   */
  private void searchBatch(String workerId, QueuedJob first) {
    List<QueuedJob> batch = new ArrayList<>();
    batch.add(first);
    for (QueuedJob next; batch.size() < MAX_BATCH_JOBS && (next = waiting.poll()) != null; ) {
      batch.add(next);
    }
    ComputeHandlers.runVectorSearch(batch, workerId, searchKernel, kernelSettings, kernelSettings.maxQueries());
  }

  @Override
  public Health.Workers workers() {
    int running = 0;
    int stuck = 0;
    for (int i = 0; i < workers.length; i++) {
      QueuedJob job = current.get(i);
      if (job != null) {
        if (job.isRunning() || job.isQueued()) {
          running++;
        } else {
          stuck++;
        }
      }
    }
    int idle = workers.length - running - stuck;
    return new Health.Workers(idle, 0, idle, running, 0, stuck);
  }

  @Override
  public void close() {
    stopping = true;
    WorkerThreads.stop(workers, Duration.ofMillis(JOIN_MILLIS), worker -> LOG.warn(
        "worker {} of endpoint '{}' did not stop within {} ms; its handler ignores interruption",
        worker.getName(), endpoint, JOIN_MILLIS));
  }
}
