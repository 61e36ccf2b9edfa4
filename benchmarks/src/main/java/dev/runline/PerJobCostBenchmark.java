package dev.runline;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * What the job store and the rate limiter cost one job, measured directly on the engine's own
 * classes (this class sits in package {@code dev.runline} for their package-private
 * constructors). Average time per call, in ns; the report subtracts each pair:
 *
 * <ul>
 *   <li><b>store</b> = {@code storeLifecycle} − {@code jobRecordOnly}: a job's whole life in
 *       the {@link JobStore}: {@code put} at admission, {@code retain} (the switch from ttl to
 *       retention) at its terminal state, and its removal (here explicit, standing in for the
 *       expiry that removes it when retention ends), on a store that holds a steady
 *       {@value #RESIDENT} jobs, less the cost of creating the {@link Job} record itself,
 *       which is not the store's;
 *   <li><b>limiter</b> = {@code limiterOn} − {@code limiterOff}: {@link RouteLimiter#acquire}
 *       and {@code release} of {@code /run} with its default limits (rate raised to never
 *       refuse; its bucket and in-flight count still kept), less the same call with every
 *       limit off.
 * </ul>
 *
 * <p>The store here runs Caffeine's maintenance on the calling thread, as in the engine, so
 * the work it does for each job is in the figure too.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class PerJobCostBenchmark {
  /**
   * Jobs the store holds throughout: each new job removes the one put this many jobs ago. Far
   * beyond the CPU caches, yet small enough that the collector seldom copies a retained job:
   * what keeping a million jobs costs in memory (and in GC) is RetainedMemory's subject.
   */
  static final int RESIDENT = 1 << 16;

  private static final Duration RETENTION = Duration.ofMinutes(30);

  /**
   * {@code JobStore.retain}, whichever of its forms the engine has: {@code retain(job)} (the
   * job knows its retention) or {@code retain(job, retention)}. The store is package-private
   * and changes with the engine's hot path; looking the method up keeps this benchmark
   * building against both.
   */
  private static final MethodHandle RETAIN = retainHandle();
  private static final Map<String, Object> INPUT = Map.of("prompt", "hello");

  private static MethodHandle retainHandle() {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    try {
      return lookup.findVirtual(JobStore.class, "retain", MethodType.methodType(void.class, Job.class));
    } catch (NoSuchMethodException e) {
      try {
        MethodHandle withRetention = lookup.findVirtual(JobStore.class, "retain",
            MethodType.methodType(void.class, Job.class, Duration.class));
        return MethodHandles.insertArguments(withRetention, 2, RETENTION);
      } catch (ReflectiveOperationException again) {
        throw new IllegalStateException("JobStore has neither retain(Job) nor retain(Job, Duration); "
            + "update PerJobCostBenchmark to the store's API", again);
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  static void retain(JobStore store, Job job) {
    try {
      RETAIN.invokeExact(store, job);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Makes job records as {@code run} does, for an endpoint of a running engine. */
  static final class Records implements AutoCloseable {
    final Runline engine;
    final EndpointRuntime endpoint;
    final Policy policy;

    Records() {
      Endpoint config = Endpoint.builder("noop").handler(job -> job.input()).workers(1).unlimited().build();
      engine = Runline.builder().endpoint(config).build();
      endpoint = new EndpointRuntime(config, (RunlineEngine) engine);
      policy = Policy.UNSET.orElse(config.defaultPolicy());
    }

    Job newJob() {
      return new Job(JobIds.next(false), endpoint, ApiKeys.OPEN, JobRequest.of(INPUT), policy, false,
          endpoint.now());
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  /** Job records, no store. */
  @State(Scope.Thread)
  public static class RecordsOnly {
    Records records;

    @Setup(Level.Trial)
    public void start() {
      records = new Records();
    }

    @TearDown(Level.Trial)
    public void stop() {
      records.close();
    }
  }

  /** A job store like the engine's, holding {@value #RESIDENT} retained jobs throughout. */
  @State(Scope.Thread)
  public static class Store {
    Records records;
    ScheduledExecutorService timer;
    JobStore store;
    final Job[] resident = new Job[RESIDENT];
    int next;

    @Setup(Level.Trial)
    public void start() {
      records = new Records();
      timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "store-timer");
        thread.setDaemon(true);
        return thread;
      });
      store = new JobStore(((RunlineEngine) records.engine).ticker, Scheduler.forScheduledExecutorService(timer),
          Runnable::run);
      for (int i = 0; i < RESIDENT; i++) {
        Job job = records.newJob();
        store.put(job);
        retain(store, job);
        resident[i] = job;
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      records.close();
      timer.shutdownNow();
    }
  }

  @State(Scope.Thread)
  public static class Limiters {
    RouteLimiter on;
    RouteLimiter off;

    @Setup(Level.Trial)
    public void start() {
      Endpoint.Builder limited = Endpoint.builder("limited").handler(job -> job.input());
      for (Route route : Route.values()) {
        limited.limit(route, route.defaultLimit());
      }
      RouteLimit run = Route.RUN.defaultLimit();
      // As in LimiterCostBenchmark: a real bucket that is never exhausted here.
      limited.limit(Route.RUN, RouteLimit.of(5_000_000_000L, run.period(), run.concurrent()));
      on = new RouteLimiter(limited.build(), com.github.benmanes.caffeine.cache.Ticker.systemTicker());
      off = new RouteLimiter(Endpoint.builder("unlimited").handler(job -> job.input()).unlimited().build(),
          com.github.benmanes.caffeine.cache.Ticker.systemTicker());
    }
  }

  /** Creating a job's record: part of every job, but not the store's cost. */
  @Benchmark
  public Job jobRecordOnly(RecordsOnly s) {
    return s.records.newJob();
  }

  /** A job's whole stay in the store: put, retain at its end, and removal of the oldest job. */
  @Benchmark
  public Job storeLifecycle(Store s) {
    Job job = s.records.newJob();
    s.store.put(job);
    retain(s.store, job);
    int slot = s.next;
    s.next = slot + 1 == RESIDENT ? 0 : slot + 1;
    Job oldest = s.resident[slot];
    s.store.remove(oldest);
    s.resident[slot] = job;
    return oldest;
  }

  @Benchmark
  public void limiterOn(Limiters s) {
    s.on.acquire(ApiKeys.OPEN, Route.RUN).release();
  }

  @Benchmark
  public void limiterOff(Limiters s) {
    s.off.acquire(ApiKeys.OPEN, Route.RUN).release();
  }
}
