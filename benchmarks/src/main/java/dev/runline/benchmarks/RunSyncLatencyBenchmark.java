package dev.runline.benchmarks;

import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Round-trip time of one synchronous no-op job: from the call to the caller holding the
 * result. SampleTime mode times each call, so the report has the distribution (p50, p99,
 * p99.9), not only a mean.
 *
 * <p>The baseline is the least a user can write for a synchronous job on a pool:
 * {@code supplyAsync(...).join()}, with no record kept. The engine's {@code runSync} also
 * records the job (its status stays queryable for the runSync retention, 1 minute), arms the
 * wait's timer and the job's execution timeout.
 *
 * <p>One engine per trial: finished runSync jobs leave the store after a minute, so a long
 * run reaches a steady heap that includes the store's expiry work, as a long-lived service
 * would.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
// A fixed heap, well above a minute of retained runSync jobs, so heap resizing adds no noise.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class RunSyncLatencyBenchmark {
  /** Far above any round trip here; a job that takes this long fails the benchmark. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  @State(Scope.Benchmark)
  public static class EngineState {
    @Param({"1", "2"})
    int workers;

    @Param("direct")
    String intake;

    Runline engine;

    @Setup(Level.Trial)
    public void start() {
      engine = NoopJobs.engine(workers, intake, job -> job.input());
    }

    @TearDown(Level.Trial)
    public void stop() {
      engine.close();
    }
  }

  @State(Scope.Benchmark)
  public static class BaselineState {
    @Param({"1", "2"})
    int workers;

    ThreadPoolExecutor pool;

    @Setup(Level.Trial)
    public void start() {
      pool = ThreadPoolJobs.pool(workers);
    }

    @TearDown(Level.Trial)
    public void stop() {
      ThreadPoolJobs.shutdown(pool);
    }
  }

  @Benchmark
  public JobStatus engine(EngineState s) {
    JobStatus status = s.engine.as(null).endpoint(NoopJobs.ENDPOINT).runSync(JobRequest.of(NoopJobs.INPUT), WAIT).join();
    // A wait that ran out answers IN_QUEUE or IN_PROGRESS; only a finished job is a sample.
    if (status.status() != Status.COMPLETED) {
      throw new IllegalStateException("runSync answered " + status);
    }
    return status;
  }

  @Benchmark
  public Object threadPoolBaseline(BaselineState s) {
    return CompletableFuture.supplyAsync(() -> echo(NoopJobs.INPUT), s.pool).join();
  }

  private static Object echo(Object input) {
    return input;
  }
}
