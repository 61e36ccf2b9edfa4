package dev.runline.cuda;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.Health;
import dev.runline.Work;
import dev.runline.compute.ComputeHandlers;
import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.VectorSearchKernel;
import dev.runline.spi.BackendContext;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a kernel endpoint on a GPU.
 *
 * <p>Each of the endpoint's {@code workers} ({@link WorkerPool}) is a thread with its own
 * CUDA stream and buffers ({@link DeviceKernels}), so the launches of several workers
 * overlap on the device.
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
final class CudaBackend extends WorkerPool {
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

  /** Workers in a launch (after gathering); the device is idle when none is. */
  private final AtomicInteger launching = new AtomicInteger();
  private final AtomicLong heldLaunches = new AtomicLong();
  private final AtomicLong launchesAtDeadline = new AtomicLong();
  private final KernelSettings settings;
  private final int maxBatch;
  private final long maxQueueDelayNanos;
  private final DeviceKernels kernels;
  /** Per worker: its vector-search kernel, or its matmul handler. */
  private final VectorSearchKernel[] searches;
  private final Handler[] matmuls;

  CudaBackend(BackendContext context, DeviceKernels.Opener opener) {
    super(context, "cuda");
    Endpoint definition = context.endpoint();
    if (!(definition.work() instanceof Work.Kernel)) {
      throw new IllegalArgumentException("backend 'cuda' runs kernel endpoints (" + Kernel.names()
          + "); endpoint '" + definition.name() + "' has a Java handler: run it on backend 'cpu'");
    }
    this.settings = KernelSettings.of(definition, SETTINGS);
    this.maxBatch = KernelSettings.backendSetting(definition, "maxBatch", DEFAULT_MAX_BATCH, 1, 1 << 16);
    this.maxQueueDelayNanos = TimeUnit.MICROSECONDS.toNanos(KernelSettings.backendSetting(
        definition, "maxQueueDelayMicros", DEFAULT_MAX_QUEUE_DELAY_MICROS, 0, 1_000_000));
    int device = KernelSettings.backendSetting(definition, "device", 0, 0, 1023);
    int count = definition.workers();

    this.kernels = opener.open(device, settings, count);
    this.searches = new VectorSearchKernel[count];
    this.matmuls = new Handler[count];
    try {
      for (int i = 0; i < count; i++) {
        if (settings.kernel() == Kernel.VECTOR_SEARCH) {
          searches[i] = kernels.vectorSearch(i);
          checkK(searches[i]);
        } else {
          matmuls[i] = ComputeHandlers.matmul(kernels.matmul(i), settings);
        }
      }
    } catch (RuntimeException | Error e) {
      kernels.close();
      throw e;
    }
    startWorkers();
    LOG.info("endpoint '{}': {} on the cuda backend, device {}: {}, {} workers, maxBatch {}, maxQueueDelayMicros {}",
        definition.name(), settings, device, kernels, count, maxBatch, TimeUnit.NANOSECONDS.toMicros(maxQueueDelayNanos));
  }

  private void checkK(VectorSearchKernel search) {
    if (Math.min(settings.maxK(), search.size()) > CudaNative.MAX_K) {
      throw new IllegalArgumentException("endpoint '" + endpointName() + "': backendSettings.maxK is " + settings.maxK()
          + " but the cuda backend answers at most " + CudaNative.MAX_K + " results per query; set maxK to "
          + CudaNative.MAX_K + " or less");
    }
  }

  @Override
  protected void work(Worker worker, QueuedJob first) throws InterruptedException {
    List<QueuedJob> batch = new ArrayList<>();
    batch.add(first);
    VectorSearchKernel search = searches[worker.index()];
    if (search != null) {
      gather(worker, batch);
    }
    launching.incrementAndGet();
    try {
      if (search != null) {
        ComputeHandlers.runVectorSearch(worker.startAll(batch), search, settings, MAX_LAUNCH_QUERIES);
      } else {
        worker.start(first).ifPresent(attempt -> attempt.run(matmuls[worker.index()]));
      }
    } finally {
      launching.decrementAndGet();
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
  private void gather(Worker worker, List<QueuedJob> batch) {
    drain(worker, batch);
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
        next = worker.poll(Math.min(left, GAP_NANOS), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // close(): run what was gathered, then the worker loop sees it is stopping.
        break;
      }
      if (next != null) {
        batch.add(next);
        drain(worker, batch);
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

  private void drain(Worker worker, List<QueuedJob> batch) {
    QueuedJob next;
    while (batch.size() < maxBatch && (next = worker.poll()) != null) {
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

  /** A worker still in a launch holds its CudaWorker's lock, so this waits for the launch. */
  @Override
  protected void closeResources() {
    kernels.close();
  }
}
