package dev.runline.cuda;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.Health;
import dev.runline.Work;
import dev.runline.compute.ComputeHandlers;
import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.VectorSearchKernel;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WaitingJobs;
import dev.runline.spi.WorkerThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a kernel endpoint on a GPU.
 *
 * <p>Each of the endpoint's {@code workers} is a thread with its own CUDA stream and buffers
 * ({@link DeviceKernels}), so the launches of several workers overlap on the device. Jobs
 * wait in two queues, normal and low priority, counted by a semaphore as in the cpu
 * backend.
 *
 * <p>Dynamic batching (vector-search): a worker that takes a job also takes the jobs
 * waiting behind it, up to {@code maxBatch}, and for at most {@code maxQueueDelayMicros}
 * gathers more: as long as they keep arriving, and while another worker's launch runs. A
 * launch costs about the same for one query as for hundreds (the index is read once per
 * launch), so under load a short wait buys throughput; on an idle device a batch launches
 * at the first pause in arrivals ({@value #GAP_NANOS} ns), so a lone job pays little delay.
 * The batch then goes through {@link ComputeHandlers#runVectorSearch} as one launch: jobs
 * no longer queued (cancelled, purged, expired) are dropped, a job whose input is malformed
 * fails alone with the parser's message before the launch, the queries of the rest are
 * stacked into one matrix, and each job completes with its own rows of the result.
 *
 * <p>Matmul jobs differ in shape, so each is its own launch.
 */
final class CudaBackend implements Backend {
  /** The {@code backendSettings} keys of this backend, beside the kernel's. */
  static final List<String> SETTINGS = List.of("maxBatch", "maxQueueDelayMicros", "device");
  static final int DEFAULT_MAX_BATCH = 256;
  static final int DEFAULT_MAX_QUEUE_DELAY_MICROS = 200;
  /** The pause in arrivals after which a batch for an idle device launches. */
  static final long GAP_NANOS = 20_000;
  /**
   * The most queries in one launch. Bounds the device and pinned memory a launch takes
   * (results are queries × k × 16 bytes); a job with more queries is launched alone.
   */
  static final int MAX_LAUNCH_QUERIES = 8192;

  private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
  private static final long JOIN_MILLIS = 10_000;

  private final WaitingJobs waiting = new WaitingJobs();
  private final AtomicInteger busy = new AtomicInteger();
  /** Workers in a launch (after gathering); the device is idle when none is. */
  private final AtomicInteger launching = new AtomicInteger();
  private final AtomicLong heldLaunches = new AtomicLong();
  private final AtomicLong launchesAtDeadline = new AtomicLong();
  private final String endpoint;
  private final KernelSettings settings;
  private final int maxBatch;
  private final long maxQueueDelayNanos;
  private final DeviceKernels kernels;
  private final Thread[] workers;
  private volatile boolean stopping;

  CudaBackend(BackendContext context, DeviceKernels.Opener opener) {
    Endpoint definition = context.endpoint();
    this.endpoint = definition.name();
    if (!(definition.work() instanceof Work.Kernel)) {
      throw new IllegalArgumentException("backend 'cuda' runs kernel endpoints (" + Kernel.names()
          + "); endpoint '" + endpoint + "' has a Java handler: run it on backend 'cpu'");
    }
    this.settings = KernelSettings.of(definition, SETTINGS);
    this.maxBatch = KernelSettings.backendSetting(definition, "maxBatch", DEFAULT_MAX_BATCH, 1, 1 << 16);
    this.maxQueueDelayNanos = TimeUnit.MICROSECONDS.toNanos(KernelSettings.backendSetting(
        definition, "maxQueueDelayMicros", DEFAULT_MAX_QUEUE_DELAY_MICROS, 0, 1_000_000));
    int device = KernelSettings.backendSetting(definition, "device", 0, 0, 1023);
    int count = definition.workers();

    this.kernels = opener.open(device, settings, count);
    try {
      List<Runnable> loops = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String workerId = "cuda-" + endpoint + "-" + i;
        if (settings.kernel() == Kernel.VECTOR_SEARCH) {
          VectorSearchKernel search = kernels.vectorSearch(i);
          checkK(search);
          loops.add(() -> work(workerId, batch -> ComputeHandlers.runVectorSearch(
              batch, workerId, search, settings, MAX_LAUNCH_QUERIES)));
        } else {
          Handler matmul = ComputeHandlers.matmul(kernels.matmul(i), settings);
          loops.add(() -> work(workerId, batch -> batch.forEach(job -> job.run(workerId, matmul))));
        }
      }
      ThreadFactory threads = context.threadFactory("cuda");
      this.workers = new Thread[count];
      for (int i = 0; i < count; i++) {
        workers[i] = threads.newThread(loops.get(i));
      }
    } catch (RuntimeException | Error e) {
      kernels.close();
      throw e;
    }
    for (Thread worker : workers) {
      worker.start();
    }
    LOG.info("endpoint '{}': {} on the cuda backend, device {}: {}, {} workers, maxBatch {}, maxQueueDelayMicros {}",
        endpoint, settings, device, kernels, count, maxBatch, TimeUnit.NANOSECONDS.toMicros(maxQueueDelayNanos));
  }

  private void checkK(VectorSearchKernel search) {
    if (Math.min(settings.maxK(), search.size()) > CudaNative.MAX_K) {
      throw new IllegalArgumentException("endpoint '" + endpoint + "': backendSettings.maxK is " + settings.maxK()
          + " but the cuda backend answers at most " + CudaNative.MAX_K + " results per query; set maxK to "
          + CudaNative.MAX_K + " or less");
    }
  }

  @Override
  public void dispatch(List<QueuedJob> batch) {
    waiting.addAll(batch);
  }

  /** What a worker does with each batch it gathers. */
  @FunctionalInterface
  private interface BatchRunner {
    void run(List<QueuedJob> batch);
  }

  private void work(String workerId, BatchRunner runner) {
    List<QueuedJob> batch = new ArrayList<>();
    while (!stopping) {
      try {
        batch.add(waiting.take());
      } catch (InterruptedException e) {
        continue;
      }
      busy.incrementAndGet();
      try {
        if (settings.kernel() == Kernel.VECTOR_SEARCH) {
          gather(batch);
        }
        launching.incrementAndGet();
        try {
          runner.run(batch);
        } finally {
          launching.decrementAndGet();
        }
      } catch (Throwable e) {
        // The kernel handlers end every job themselves; this is a bug, and no job of the
        // batch may stay IN_QUEUE or IN_PROGRESS because of it.
        LOG.error("worker {} of endpoint '{}': a batch of {} jobs escaped its kernel", workerId, endpoint,
            batch.size(), e);
        for (QueuedJob job : batch) {
          job.start(workerId);
          job.fail(e);
        }
      } finally {
        batch.clear();
        busy.decrementAndGet();
      }
    }
  }

  /**
   * Adds the jobs waiting behind the first, up to {@code maxBatch}, for at most
   * {@code maxQueueDelayMicros}. While jobs keep arriving (one at least every
   * {@value #GAP_NANOS} ns) the batch grows; at a gap with no arrival it launches at once when
   * no other launch is running (an idle device: a lone job waits one gap, not the whole
   * delay), and keeps waiting while another launch runs (the device is busy, so the wait
   * costs little and the launch carries more jobs).
   */
  private void gather(List<QueuedJob> batch) {
    drain(batch);
    if (batch.size() >= maxBatch || maxQueueDelayNanos == 0) {
      return;
    }
    long deadline = System.nanoTime() + maxQueueDelayNanos;
    boolean heldForDevice = false;
    while (batch.size() < maxBatch) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        launchesAtDeadline.incrementAndGet();
        break;
      }
      QueuedJob next;
      try {
        next = waiting.poll(Math.min(left, GAP_NANOS), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // close(): run what was gathered, then the loop sees stopping.
        break;
      }
      if (next != null) {
        batch.add(next);
        drain(batch);
      } else if (launching.get() == 0) {
        break;
      } else {
        heldForDevice = true;
      }
    }
    if (heldForDevice) {
      heldLaunches.incrementAndGet();
    }
  }

  private void drain(List<QueuedJob> batch) {
    QueuedJob next;
    while (batch.size() < maxBatch && (next = waiting.poll()) != null) {
      batch.add(next);
    }
  }

  /** How many launches waited out the whole queue delay (for the tests). */
  long launchesAtDeadline() {
    return launchesAtDeadline.get();
  }

  /** How many launches kept gathering because another launch was running (for the tests). */
  long heldLaunches() {
    return heldLaunches.get();
  }

  @Override
  public Health.Workers workers() {
    int running = Math.min(busy.get(), workers.length);
    int idle = workers.length - running;
    return new Health.Workers(idle, 0, idle, running, 0, 0);
  }

  @Override
  public void close() {
    stopping = true;
    WorkerThreads.stop(workers, Duration.ofMillis(JOIN_MILLIS), worker -> LOG.warn(
        "worker {} of endpoint '{}' did not stop within {} ms; a launch is still running",
        worker.getName(), endpoint, JOIN_MILLIS));
    // A worker still in a launch holds its CudaWorker's lock, so this waits for the launch.
    kernels.close();
  }
}
