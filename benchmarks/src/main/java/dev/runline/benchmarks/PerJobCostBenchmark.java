package dev.runline.benchmarks;

import dev.runline.Endpoint;
import dev.runline.EndpointClient;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Route;
import dev.runline.RouteLimit;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.local.LocalJobStore;
import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.StoredJob;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the job store and the rate limiter cost one job, each measured through its seam or
 * the public API. Average time per call, in ns; the report subtracts each pair:
 *
 * <ul>
 *   <li><b>store</b> = {@code storeLifecycle} − {@code jobRecordOnly}: a job's whole life in
 *       the default {@link JobStore} ({@link LocalJobStore}), as the engine drives it: insert
 *       at admission, the compare-and-set that starts it, the one that ends it (which
 *       switches its expiry from ttl to retention), and its removal (standing in for the
 *       expiry that removes it when retention ends), on a store holding a steady
 *       {@value #RESIDENT} jobs; less creating the job's record, which is not the store's;
 *   <li><b>limiter</b> = {@code limiterOn} − {@code limiterOff}: a {@code /status} call with
 *       the route's default limits (rate raised so it never refuses; its bucket and in-flight
 *       count still kept) against the same call with every limit off.
 * </ul>
 *
 * <p>The store runs Caffeine's maintenance on the calling thread, as in the engine, so the
 * work it does for each job is in the figure too.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class PerJobCostBenchmark {
  /**
   * Jobs the store holds throughout: each new job removes the one inserted this many jobs
   * ago. Far beyond the CPU caches, yet small enough that the collector seldom copies a
   * retained job: what keeping a million jobs costs in memory is RetainedMemory's subject.
   */
  static final int RESIDENT = 1 << 16;
  private static final long TTL = Duration.ofDays(1).toNanos();
  private static final long RETENTION = Duration.ofMinutes(30).toNanos();

  /** A job's record as a store sees it: what a store implementation is handed by the engine. */
  static final class Record implements StoredJob {
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(Record.class, "state", JobState.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final JobId id;
    private volatile JobState state;

    Record(JobId id, long now) {
      this.id = id;
      this.state = JobState.queued(1, now);
    }

    @Override
    public JobId id() {
      return id;
    }

    @Override
    public String endpoint() {
      return "noop";
    }

    @Override
    public JobState state() {
      return state;
    }

    @Override
    public long ttlNanos() {
      return TTL;
    }

    @Override
    public long retentionNanos() {
      return RETENTION;
    }

    @Override
    public boolean compareAndSetState(JobState expected, JobState next) {
      return STATE.compareAndSet(this, expected, next);
    }
  }

  /** The default job store, holding {@value #RESIDENT} finished jobs throughout. */
  @State(Scope.Thread)
  public static class Store {
    ScheduledExecutorService timer;
    JobStore store;
    final Record[] resident = new Record[RESIDENT];
    int next;

    @Setup(Level.Trial)
    public void start() {
      timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "store-timer");
        thread.setDaemon(true);
        return thread;
      });
      store = LocalJobStore.factory().open(new JobStore.Context() {
        @Override
        public TimeSource time() {
          return TimeSource.system();
        }

        @Override
        public Timers timers() {
          return Timers.of(timer);
        }

        @Override
        public Consumer<StoredJob> onExpired() {
          return job -> { };
        }
      });
      for (int i = 0; i < RESIDENT; i++) {
        resident[i] = lifecycle(this);
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      store.close();
      timer.shutdownNow();
    }
  }

  /** A job's whole stay in the store, as the engine drives it, but for its removal. */
  static Record lifecycle(Store s) {
    long now = System.nanoTime();
    Record job = new Record(s.store.newId(false), now);
    s.store.insert(job);
    JobState queued = job.state();
    JobState started = queued.started("worker-0", now);
    s.store.compareAndSet(job, queued, started);
    s.store.compareAndSet(job, started, started.ended(Status.COMPLETED, Boolean.TRUE, null, now));
    return job;
  }

  /** An endpoint whose /status passes its default limits, and one with every limit off, each with one finished job. */
  @State(Scope.Thread)
  public static class Limiters {
    Runline engine;
    EndpointClient on;
    EndpointClient off;
    String onJob;
    String offJob;

    @Setup(Level.Trial)
    public void start() {
      Endpoint.Builder limited = Endpoint.builder("limited").handler(job -> job.input()).workers(1);
      for (Route route : Route.values()) {
        limited.limit(route, route.defaultLimit());
      }
      RouteLimit status = Route.STATUS.defaultLimit();
      // As in LimiterCostBenchmark: a real bucket that is never exhausted here.
      limited.limit(Route.STATUS, RouteLimit.of(5_000_000_000L, status.period(), status.concurrent()));
      engine = Runline.builder()
          .endpoint(limited.build())
          .endpoint(Endpoint.builder("unlimited").handler(job -> job.input()).workers(1).unlimited().build())
          .build();
      on = engine.as(null).endpoint("limited");
      off = engine.as(null).endpoint("unlimited");
      onJob = on.runSync(JobRequest.of("x"), Duration.ofSeconds(30)).join().id();
      offJob = off.runSync(JobRequest.of("x"), Duration.ofSeconds(30)).join().id();
    }

    @TearDown(Level.Trial)
    public void stop() {
      engine.close();
    }
  }

  /** Creating a job's record: part of every job, but not the store's cost. */
  @Benchmark
  public Record jobRecordOnly() {
    return new Record(JobId.random(false), System.nanoTime());
  }

  /** Insert, start, end (ttl to retention), and removal of the oldest job. */
  @Benchmark
  public Record storeLifecycle(Store s) {
    Record job = lifecycle(s);
    int slot = s.next;
    s.next = slot + 1 == RESIDENT ? 0 : slot + 1;
    Record oldest = s.resident[slot];
    s.store.remove(oldest);
    s.resident[slot] = job;
    return oldest;
  }

  @Benchmark
  public JobStatus limiterOn(Limiters s) {
    return s.on.status(s.onJob);
  }

  @Benchmark
  public JobStatus limiterOff(Limiters s) {
    return s.off.status(s.offJob);
  }
}
