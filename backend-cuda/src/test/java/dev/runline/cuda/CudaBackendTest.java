package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.compute.Kernel;
import dev.runline.compute.KernelSettings;
import dev.runline.compute.MatmulKernel;
import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorIndex;
import dev.runline.compute.VectorSearchKernel;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.QueuedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cuda backend's scheduling (dynamic batching, dropped and malformed jobs, one kernel
 * set per worker, settings) through the engine, with CPU loops in place of the GPU
 * kernels so that it runs on every machine.
 */
class CudaBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int N = 500;
  private static final int D = 4;
  private static final long SEED = 7;

  private final LoopKernels kernels = new LoopKernels();
  private final Semaphore dispatched = new Semaphore(0);
  private Runline engine;
  private volatile CudaBackend opened;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private void start(Consumer<Endpoint.Builder> endpoint) {
    Endpoint.Builder search = Endpoint.builder("search").kernel("vector-search").backend(CudaBackendProvider.NAME)
        .workers(1).backendSetting("index", Map.of("n", N, "d", D, "seed", SEED));
    endpoint.accept(search);
    engine = Runline.builder().backend(new LoopProvider()).endpoint(search.build()).build();
  }

  /** A job's input: one query, the n-th of a fixed sequence, normalized. */
  private static float[] query(int n) {
    return VectorIndex.generate(1, D, 1000 + n).vectors().row(0);
  }

  private JobStatus submit(Object input) {
    return engine.as(null).endpoint("search").run(JobRequest.of(input));
  }

  private JobStatus await(JobStatus queued) throws Exception {
    return engine.as(null).endpoint("search").statusSync(queued.id(), WAIT).get(30, TimeUnit.SECONDS);
  }

  /** Waits until the engine has handed {@code jobs} more jobs to the backend. */
  private void awaitDispatched(int jobs) throws InterruptedException {
    assertThat(dispatched.tryAcquire(jobs, 30, TimeUnit.SECONDS)).as("%d jobs dispatched", jobs).isTrue();
  }

  /**
   * Occupies the single worker with a first job held inside the kernel, queues
   * {@code inputs} behind it, and returns them once they all wait at the backend; releasing
   * the kernel then lets the worker take them as one batch.
   */
  private List<JobStatus> queueBehindABusyWorker(List<?> inputs) throws Exception {
    kernels.holdNextLaunch();
    JobStatus first = submit(Map.of("query", query(0), "k", 3));
    kernels.awaitHeldLaunch();
    List<JobStatus> queued = new ArrayList<>();
    for (Object input : inputs) {
      queued.add(submit(input));
    }
    awaitDispatched(1 + inputs.size());
    kernels.releaseHeldLaunch();
    assertThat(await(first).status()).isEqualTo(Status.COMPLETED);
    return queued;
  }

  private static List<Object> queries(int count) {
    List<Object> inputs = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      inputs.add(Map.of("query", query(i), "k", 3));
    }
    return inputs;
  }

  @Test
  void jobsWaitingTogetherAreSearchedInOneLaunch() throws Exception {
    start(endpoint -> {});

    List<JobStatus> queued = queueBehindABusyWorker(queries(10));

    for (int i = 0; i < queued.size(); i++) {
      JobStatus done = await(queued.get(i));
      assertThat(done.status()).isEqualTo(Status.COMPLETED);
      assertThat(((Map<?, ?>) done.output()).get("ids")).isEqualTo(expectedIds(query(i + 1), 3));
    }
    assertThat(kernels.launchQueries).containsExactly(1, 10);
  }

  @Test
  void loneJobOnAnIdleDeviceLaunchesWithoutWaitingForTheQueueDelay() throws Exception {
    start(endpoint -> endpoint.backendSetting("maxQueueDelayMicros", 1_000_000));

    for (int i = 0; i < 5; i++) {
      JobStatus done = await(submit(Map.of("query", query(i), "k", 3)));
      assertThat(done.status()).isEqualTo(Status.COMPLETED);
    }

    assertThat(kernels.launchQueries).containsExactly(1, 1, 1, 1, 1);
    assertThat(opened.heldLaunches()).as("launches held back for a busy device").isZero();
    assertThat(opened.launchesAtDeadline()).as("launches that waited out the queue delay").isZero();
  }

  @Test
  void whileAnotherLaunchRunsAWorkerWaitsForItsBatchToFill() throws Exception {
    start(endpoint -> endpoint.workers(2).backendSetting("maxQueueDelayMicros", 1_000_000));
    kernels.holdNextLaunch();
    JobStatus first = submit(Map.of("query", query(0), "k", 3));
    kernels.awaitHeldLaunch();

    // The second worker takes the first of these, finds the device busy, and waits (up to a
    // second) for the others instead of launching one job.
    List<JobStatus> queued = new ArrayList<>();
    for (Object input : queries(3)) {
      queued.add(submit(input));
    }
    for (JobStatus job : queued) {
      assertThat(await(job).status()).isEqualTo(Status.COMPLETED);
    }
    kernels.releaseHeldLaunch();

    assertThat(await(first).status()).isEqualTo(Status.COMPLETED);
    // A launch is recorded as it ends: the batch of three ended while the first was held.
    assertThat(kernels.launchQueries).containsExactly(3, 1);
    assertThat(opened.heldLaunches()).isEqualTo(1);
    assertThat(opened.launchesAtDeadline()).isEqualTo(1);
  }

  @Test
  void maxBatchCapsTheJobsOfOneLaunch() throws Exception {
    start(endpoint -> endpoint.backendSetting("maxBatch", 4));

    List<JobStatus> queued = queueBehindABusyWorker(queries(10));

    for (JobStatus job : queued) {
      assertThat(await(job).status()).isEqualTo(Status.COMPLETED);
    }
    assertThat(kernels.launchQueries).containsExactly(1, 4, 4, 2);
  }

  @Test
  void malformedInputFailsAloneBeforeTheLaunch() throws Exception {
    start(endpoint -> {});
    List<Object> inputs = queries(4);
    inputs.set(2, Map.of("query", List.of(1, 2, 3), "k", 3));

    List<JobStatus> queued = queueBehindABusyWorker(inputs);

    JobStatus malformed = await(queued.get(2));
    assertThat(malformed.status()).isEqualTo(Status.FAILED);
    assertThat(malformed.error()).contains("input.query has 3 numbers; the index has dimension 4");
    for (int i : new int[] {0, 1, 3}) {
      assertThat(await(queued.get(i)).status()).isEqualTo(Status.COMPLETED);
    }
    assertThat(kernels.launchQueries).containsExactly(1, 3);
  }

  @Test
  void jobCancelledWhileWaitingIsLeftOutOfTheLaunch() throws Exception {
    start(endpoint -> {});
    kernels.holdNextLaunch();
    JobStatus first = submit(Map.of("query", query(0), "k", 3));
    kernels.awaitHeldLaunch();
    JobStatus kept = submit(Map.of("query", query(1), "k", 3));
    JobStatus cancelled = submit(Map.of("query", query(2), "k", 3));
    awaitDispatched(3);

    engine.as(null).endpoint("search").cancel(cancelled.id());
    kernels.releaseHeldLaunch();

    assertThat(await(first).status()).isEqualTo(Status.COMPLETED);
    assertThat(await(kept).status()).isEqualTo(Status.COMPLETED);
    assertThat(await(cancelled).status()).isEqualTo(Status.CANCELLED);
    assertThat(kernels.launchQueries).containsExactly(1, 1);
  }

  @Test
  void jobsOfSeveralQueriesStackIntoOneMatrixAndSplitBack() throws Exception {
    start(endpoint -> {});
    List<Object> inputs = List.of(
        Map.of("queries", List.of(query(1), query(2)), "k", 2),
        Map.of("query", query(3), "k", 5),
        Map.of("queries", List.of(query(4), query(5), query(6)), "k", 1));

    List<JobStatus> queued = queueBehindABusyWorker(inputs);

    List<?> two = (List<?>) await(queued.get(0)).output();
    assertThat(((Map<?, ?>) two.get(0)).get("ids")).isEqualTo(expectedIds(query(1), 2));
    assertThat(((Map<?, ?>) two.get(1)).get("ids")).isEqualTo(expectedIds(query(2), 2));
    assertThat(((Map<?, ?>) await(queued.get(1)).output()).get("ids")).isEqualTo(expectedIds(query(3), 5));
    List<?> three = (List<?>) await(queued.get(2)).output();
    for (int i = 0; i < 3; i++) {
      assertThat(((Map<?, ?>) three.get(i)).get("ids")).isEqualTo(expectedIds(query(4 + i), 1));
    }
    assertThat(kernels.launchQueries).containsExactly(1, 6);
  }

  @Test
  void eachWorkerHasItsOwnKernelsAndCloseFreesThem() {
    start(endpoint -> endpoint.workers(3));

    assertThat(kernels.searchWorkers).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(engine.as(null).endpoint("search").health().workers()).isEqualTo(new Health.Workers(3, 0, 3, 0, 0, 0));
    engine.close();
    engine = null;
    assertThat(kernels.closed).isTrue();
  }

  @Test
  void matmulJobsRunOneLaunchEach() throws Exception {
    engine = Runline.builder().backend(new LoopProvider())
        .endpoint(Endpoint.builder("matmul").kernel("matmul").backend(CudaBackendProvider.NAME).workers(1).build())
        .build();

    JobStatus done = engine.as(null).endpoint("matmul").runSync(
        JobRequest.of(Map.of("a", List.of(List.of(1, 2), List.of(3, 4)), "b", List.of(List.of(5), List.of(6)))), WAIT)
        .get(30, TimeUnit.SECONDS);

    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(((Map<?, ?>) done.output()).get("c")).isEqualTo(List.of(List.of(17f), List.of(39f)));
    assertThat(kernels.matmuls).hasValue(1);
  }

  @Test
  void endpointWithAJavaHandlerIsRefused() {
    assertThatThrownBy(() -> Runline.builder().backend(new LoopProvider())
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).backend(CudaBackendProvider.NAME).build())
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint 'echo' has a Java handler: run it on backend 'cpu'");
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("maxBatch", 0)))
        .hasMessageContaining("backendSettings.maxBatch must be a whole number from 1 to 65536, was 0");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("maxQueueDelayMicros", "soon")))
        .hasMessageContaining("backendSettings.maxQueueDelayMicros must be a whole number from 0 to 1000000, was 'soon'");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("stream", 2)))
        .hasMessageContaining("backendSettings.stream is not a setting")
        .hasMessageContaining("maxBatch, maxQueueDelayMicros, device");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("index", Map.of("n", 2000, "d", D))
        .backendSetting("maxK", 2000)))
        .hasMessageContaining("backendSettings.maxK is 2000 but the cuda backend answers at most 1024 results per query");
    assertThat(kernels.closedCount).as("kernels opened before a bad maxK are closed").hasValue(1);
  }

  @Test
  void realProviderReportsWhatTheLoaderFound() {
    BackendProvider cuda = new CudaBackendProvider();

    assertThat(cuda.name()).isEqualTo("cuda");
    assertThat(cuda.isAvailable()).isEqualTo(CudaNative.isAvailable());
    assertThat(cuda.unavailabilityCause()).isSameAs(CudaNative.unavailabilityCause());
    Module module = CudaBackendProvider.class.getModule();
    if (module.isNamed()) {
      assertThat(module.getDescriptor().provides()).anySatisfy(provides -> {
        assertThat(provides.service()).isEqualTo(BackendProvider.class.getName());
        assertThat(provides.providers()).contains(CudaBackendProvider.class.getName());
      });
    } else {
      assertThat(ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().name())).contains("cuda");
    }
  }

  @Test
  void engineRefusesTheCudaBackendWhereItCannotRun() {
    assumeFalse(CudaNative.isAvailable(), "a usable CUDA GPU is present");

    assertThatThrownBy(() -> Runline.builder()
        .endpoint(Endpoint.builder("search").kernel("vector-search").backend("cuda")
            .backendSetting("index", Map.of("n", 10, "d", 2)).build())
        .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs backend 'cuda', which cannot run here: " + CudaNative.unavailabilityCause().getMessage());
  }

  private static List<Integer> expectedIds(float[] query, int k) {
    TopK top = LoopKernels.search(VectorIndex.generate(N, D, SEED).vectors(), Matrix.vector(query), k);
    return Arrays.stream(top.ids(0)).boxed().toList();
  }

  /** The cuda backend over {@link LoopKernels}, counting the jobs handed to it. */
  private final class LoopProvider implements BackendProvider {
    @Override
    public String name() {
      return CudaBackendProvider.NAME;
    }

    @Override
    public Backend open(BackendContext context) {
      CudaBackend backend = new CudaBackend(context, kernels);
      opened = backend;
      return new Backend() {
        @Override
        public void dispatch(List<QueuedJob> batch) {
          backend.dispatch(batch);
          dispatched.release(batch.size());
        }

        @Override
        public Health.Workers workers() {
          return backend.workers();
        }

        @Override
        public void close() {
          backend.close();
        }
      };
    }
  }

  /** Plain loops in place of the GPU kernels, recording each launch; one launch may be held. */
  private static final class LoopKernels implements DeviceKernels.Opener {
    final List<Integer> launchQueries = new CopyOnWriteArrayList<>();
    final List<Integer> searchWorkers = new CopyOnWriteArrayList<>();
    final AtomicInteger matmuls = new AtomicInteger();
    final AtomicInteger closedCount = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<CountDownLatch> nextHold = new AtomicReference<>();
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;

    void holdNextLaunch() {
      entered = new CountDownLatch(1);
      release = new CountDownLatch(1);
      nextHold.set(release);
    }

    void awaitHeldLaunch() throws InterruptedException {
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("a launch began").isTrue();
    }

    void releaseHeldLaunch() {
      release.countDown();
    }

    @Override
    public DeviceKernels open(int device, KernelSettings settings, int workers) {
      Matrix index = settings.kernel() == Kernel.VECTOR_SEARCH ? settings.loadIndex().vectors() : null;
      return new DeviceKernels() {
        @Override
        public VectorSearchKernel vectorSearch(int worker) {
          searchWorkers.add(worker);
          return new VectorSearchKernel() {
            @Override
            public int size() {
              return index.rows();
            }

            @Override
            public int dimension() {
              return index.cols();
            }

            @Override
            public TopK search(Matrix queries, int k) throws InterruptedException {
              CountDownLatch hold = nextHold.getAndSet(null);
              if (hold != null) {
                entered.countDown();
                hold.await();
              }
              launchQueries.add(queries.rows());
              return LoopKernels.search(index, queries, k);
            }
          };
        }

        @Override
        public MatmulKernel matmul(int worker) {
          return (a, b) -> {
            matmuls.incrementAndGet();
            float[] c = new float[a.rows() * b.cols()];
            for (int i = 0; i < a.rows(); i++) {
              for (int j = 0; j < b.cols(); j++) {
                float sum = 0;
                for (int p = 0; p < a.cols(); p++) {
                  sum += a.get(i, p) * b.get(p, j);
                }
                c[i * b.cols() + j] = sum;
              }
            }
            return Matrix.of(a.rows(), b.cols(), c);
          };
        }

        @Override
        public void close() {
          closed.set(true);
          closedCount.incrementAndGet();
        }
      };
    }

    /** Top-k by dot product, scores descending, equal scores by the smaller id. */
    static TopK search(Matrix index, Matrix queries, int k) {
      int keep = Math.min(k, index.rows());
      int[][] ids = new int[queries.rows()][];
      float[][] scores = new float[queries.rows()][];
      for (int q = 0; q < queries.rows(); q++) {
        float[] all = new float[index.rows()];
        Integer[] order = new Integer[index.rows()];
        for (int row = 0; row < index.rows(); row++) {
          double sum = 0;
          for (int j = 0; j < index.cols(); j++) {
            sum += (double) queries.get(q, j) * index.get(row, j);
          }
          all[row] = (float) sum;
          order[row] = row;
        }
        Arrays.sort(order, (x, y) -> all[x] != all[y] ? Float.compare(all[y], all[x]) : Integer.compare(x, y));
        ids[q] = new int[keep];
        scores[q] = new float[keep];
        for (int i = 0; i < keep; i++) {
          ids[q][i] = order[i];
          scores[q][i] = all[order[i]];
        }
      }
      return new TopK(ids, scores);
    }
  }
}
