package dev.runline.benchmarks;

import dev.runline.Health;
import dev.runline.IntakeWaitStrategy;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * and let the queue grow without bound. A batch keeps the workers busy while the producer
 * submits, stays far below the endpoint's queue capacity, and ends each invocation with
 * nothing in flight.
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
 * <p>One producer thread per engine: the batch latch is per producer. With {@code -t N}, each
 * JMH thread drives its own engine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SubmitToCompleteBenchmark.BATCH)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
// A fixed heap, well above an iteration's retained jobs (about 0.5 KB each), so heap resizing adds no noise.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class SubmitToCompleteBenchmark {
  static final int BATCH = 1000;

  /** How long a batch may take before the benchmark gives up and reports the stall. */
  private static final Duration STALL = Duration.ofSeconds(30);

  @State(Scope.Thread)
  public static class EngineState {
    @Param({"1", "2"})
    int workers;

    @Param("BLOCKING")
    IntakeWaitStrategy intake;

    Runline engine;
    volatile CountDownLatch batch;
    final String[] ids = new String[BATCH];
    long submitted;

    @Setup(Level.Iteration)
    public void start() {
      submitted = 0;
      engine = NoopJobs.engine(workers, intake, job -> {
        batch.countDown();
        return job.input();
      });
    }

    @TearDown(Level.Iteration)
    public void checkAndStop() {
      try {
        // The last batch's handlers have returned; wait for their terminal transitions.
        for (String id : ids) {
          if (id != null) {
            JobStatus status = engine.statusSync(null, NoopJobs.ENDPOINT, id, STALL).join();
            if (status.status() != Status.COMPLETED) {
              throw new IllegalStateException("job " + id + " ended " + status);
            }
          }
        }
        Health.Jobs jobs = engine.health(null, NoopJobs.ENDPOINT).jobs();
        if (jobs.completed() != submitted || jobs.failed() != 0 || jobs.inQueue() != 0 || jobs.inProgress() != 0) {
          throw new IllegalStateException("submitted " + submitted + " jobs, but the engine counts " + jobs);
        }
      } finally {
        engine.close();
      }
    }
  }

  @State(Scope.Thread)
  public static class BaselineState {
    @Param({"1", "2"})
    int workers;

    ThreadPoolJobs jobs;
    volatile CountDownLatch batch;
    final String[] ids = new String[BATCH];
    long submitted;

    @Setup(Level.Iteration)
    public void start() {
      submitted = 0;
      jobs = new ThreadPoolJobs(workers, input -> {
        batch.countDown();
        return input;
      });
    }

    @TearDown(Level.Iteration)
    public void checkAndStop() {
      try {
        for (String id : ids) {
          if (id != null) {
            jobs.record(id).completion.orTimeout(STALL.toMillis(), TimeUnit.MILLISECONDS).join();
          }
        }
        long completed = jobs.records().values().stream()
            .filter(record -> record.state == ThreadPoolJobs.State.COMPLETED)
            .count();
        if (completed != submitted || jobs.records().size() != submitted) {
          throw new IllegalStateException("submitted " + submitted + " jobs, but " + completed + " of "
              + jobs.records().size() + " records are COMPLETED");
        }
      } finally {
        jobs.close();
      }
    }
  }

  @Benchmark
  public void engine(EngineState s) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    s.batch = done;
    for (int i = 0; i < BATCH; i++) {
      s.ids[i] = s.engine.run(null, NoopJobs.ENDPOINT, JobRequest.of(NoopJobs.INPUT)).id();
    }
    s.submitted += BATCH;
    awaitBatch(done);
  }

  @Benchmark
  public void threadPoolBaseline(BaselineState s) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    s.batch = done;
    for (int i = 0; i < BATCH; i++) {
      s.ids[i] = s.jobs.submit(NoopJobs.INPUT);
    }
    s.submitted += BATCH;
    awaitBatch(done);
  }

  private static void awaitBatch(CountDownLatch done) throws InterruptedException {
    if (!done.await(STALL.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " of " + BATCH + " jobs did not run within " + STALL);
    }
  }
}
