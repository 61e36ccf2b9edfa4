package dev.runline.benchmarks;

import static dev.runline.benchmarks.EngineBatches.BATCH;

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
 * Jobs per second from submission to COMPLETED: {@code run} a batch of no-op jobs, then wait
 * until every one of them has run. One operation is one job.
 *
 * <p>Why batches: waiting for each job alone would measure round-trip latency (that is
 * {@link RunSyncLatencyBenchmark}); submitting without waiting would measure only admission
 * and let the queue grow without bound. A batch keeps the workers busy while the producers
 * submit, stays far below the endpoint's queue capacity, and ends each invocation with
 * nothing in flight.
 *
 * <p>{@code producers}: how many threads submit each batch at the same time (the batch is cut
 * into that many slices; see {@link Producers}, the same code on both sides). With 1 the
 * benchmark thread submits alone; with 2 and 4 the submitting threads contend on the
 * engine's admission (or the baseline's queue and map) as concurrent callers of a service
 * would.
 *
 * <p>The handler counts the batch down as its last act, so an invocation ends when every
 * handler has returned; the final COMPLETED transition of the last few jobs (on the worker
 * thread, before it takes the next job) overlaps with the next invocation, which does not
 * change the steady rate. After each iteration every submitted job is checked to have
 * reached COMPLETED.
 *
 * <p>A fresh engine (and a fresh baseline) per iteration: the engine keeps each finished
 * {@code run} job for its 30-minute retention, so one engine per trial would measure a heap
 * that only grows. The baseline's record map is renewed just the same.
 *
 * <p>Two baselines, the same pool and the same code ({@link BaselineBatches}), differing only
 * in where the records are kept: {@code threadPoolBaseline} in a {@code ConcurrentHashMap}
 * that keeps them for ever, {@code threadPoolCaffeineBaseline} in a Caffeine cache that
 * expires them 30 minutes after writing, as the engine does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 5)
// A fixed heap, well above an iteration's retained jobs (about 0.5 KB each), so heap resizing adds no noise.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class SubmitToCompleteBenchmark {

  @State(Scope.Thread)
  public static class EngineState {
    @Param({"1", "2", "4"})
    int producers;

    @Param({"1", "2"})
    int workers;

    @Param("direct")
    String intake;

    Producers submitters;
    EngineBatches batches;

    @Setup(Level.Trial)
    public void startProducers() {
      submitters = new Producers(producers);
    }

    @Setup(Level.Iteration)
    public void start() {
      batches = new EngineBatches(workers, intake, UnaryOperator.identity());
    }

    @TearDown(Level.Iteration)
    public void checkAndStop() {
      batches.checkAndClose();
    }

    @TearDown(Level.Trial)
    public void stopProducers() {
      submitters.close();
    }
  }

  @State(Scope.Thread)
  public static class BaselineState {
    @Param({"1", "2", "4"})
    int producers;

    @Param({"1", "2"})
    int workers;

    Producers submitters;
    BaselineBatches batches;

    /** Where the baseline keeps its records; the Caffeine twin overrides it. */
    ThreadPoolJobs.Records records() {
      return ThreadPoolJobs.Records.MAP;
    }

    @Setup(Level.Trial)
    public void startProducers() {
      submitters = new Producers(producers);
    }

    @Setup(Level.Iteration)
    public void start() {
      batches = new BaselineBatches(workers, records());
    }

    @TearDown(Level.Iteration)
    public void checkAndStop() {
      batches.checkAndClose();
    }

    @TearDown(Level.Trial)
    public void stopProducers() {
      submitters.close();
    }
  }

  /** The same baseline with its records in a Caffeine cache that expires them 30 minutes after writing. */
  @State(Scope.Thread)
  public static class CaffeineBaselineState extends BaselineState {
    @Override
    ThreadPoolJobs.Records records() {
      return ThreadPoolJobs.Records.CAFFEINE;
    }
  }

  @Benchmark
  public void engine(EngineState s) throws InterruptedException {
    s.batches.runBatch(s.submitters);
  }

  /** The pool with its records in a {@code ConcurrentHashMap}, kept for ever (a leak, and the least work). */
  @Benchmark
  public void threadPoolBaseline(BaselineState s) throws InterruptedException {
    s.batches.runBatch(s.submitters);
  }

  /**
   * The same pool with its records in a Caffeine cache built with {@code expireAfterWrite(30
   * minutes)}: what a user who does not leak results writes.
   */
  @Benchmark
  public void threadPoolCaffeineBaseline(CaffeineBaselineState s) throws InterruptedException {
    s.batches.runBatch(s.submitters);
  }
}
