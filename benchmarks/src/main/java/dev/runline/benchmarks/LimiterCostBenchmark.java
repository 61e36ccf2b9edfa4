package dev.runline.benchmarks;

import static dev.runline.benchmarks.EngineBatches.BATCH;

import dev.runline.Route;
import dev.runline.RouteLimit;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same run → COMPLETED throughput as {@link SubmitToCompleteBenchmark} (one producer, two
 * workers), with the route limits on and off: what the rate limiter costs a job, seen from
 * the outside. {@code limits=on} keeps every route's default limit except {@code /run}'s
 * request rate, raised so high that it never refuses; its token bucket and its concurrency
 * count (the default 200 in flight) are still kept and checked on every call.
 * {@code limits=off} is the endpoint with {@code unlimited()}: no bucket, no count.
 *
 * <p>The difference is a few percent of a job at most, well inside the noise of a two-core
 * machine; {@link PerJobCostBenchmark} measures the limiter and the job store
 * directly, and the report uses those figures, with this pair as a cross-check. The
 * {@code limits=on} figure is also the per-job cost ({@code 1 / throughput}) those shares are
 * taken of.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class LimiterCostBenchmark {
  /**
   * Tokens per 10 s: never exhausted here (a benchmark submits a few million jobs at most),
   * yet a real bucket: {@code Long.MAX_VALUE} means "no bucket" to the limiter, and Bucket4j
   * refuses a refill faster than one token per nanosecond (10^10 per 10 s).
   */
  static final long NEVER_REFUSED = 5_000_000_000L;

  @State(Scope.Thread)
  public static class EngineState {
    @Param({"on", "off"})
    String limits;

    @Param("2")
    int workers;

    @Param("direct")
    String intake;

    Producers submitter;
    EngineBatches batches;

    @Setup(Level.Trial)
    public void startProducer() {
      submitter = new Producers(1);
    }

    @Setup(Level.Iteration)
    public void start() {
      batches = new EngineBatches(workers, intake, limits(limits));
    }

    @TearDown(Level.Iteration)
    public void checkAndStop() {
      batches.checkAndClose();
    }

    @TearDown(Level.Trial)
    public void stopProducer() {
      submitter.close();
    }
  }

  /** {@code on}: every route's default limit, with /run's rate out of reach; {@code off}: as configured, unlimited. */
  static UnaryOperator<dev.runline.Endpoint.Builder> limits(String limits) {
    switch (limits) {
      case "off":
        return UnaryOperator.identity();
      case "on":
        return builder -> {
          for (Route route : Route.values()) {
            builder.limit(route, route.defaultLimit());
          }
          RouteLimit run = Route.RUN.defaultLimit();
          return builder.limit(Route.RUN, RouteLimit.of(NEVER_REFUSED, run.period(), run.concurrent()));
        };
      default:
        throw new IllegalArgumentException("limits must be on or off, was " + limits);
    }
  }

  @Benchmark
  public void engine(EngineState s) throws InterruptedException {
    s.batches.runBatch(s.submitter);
  }
}
