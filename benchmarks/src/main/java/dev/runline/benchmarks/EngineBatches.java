package dev.runline.benchmarks;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The engine side of a submit-to-complete benchmark: one engine whose no-op handler counts
 * the current batch down, the ids of the batch, and the checks that every submitted job
 * reached COMPLETED. Used by {@link SubmitToCompleteBenchmark}, {@link LimiterCostBenchmark} and
 * {@link WakeUps}.
 */
final class EngineBatches implements Batches {
  static final int BATCH = 1000;

  /** How long a batch may take before the benchmark gives up and reports the stall. */
  static final Duration STALL = Duration.ofSeconds(30);

  final Runline engine;
  final String[] ids = new String[BATCH];
  private volatile CountDownLatch batch;
  private long submitted;

  /**
   * @param limits applied to the endpoint builder after the benchmarks' defaults (every limit
   *     off, a queue far above a batch); {@code UnaryOperator.identity()} keeps them
   */
  EngineBatches(int workers, String intake, UnaryOperator<Endpoint.Builder> limits) {
    this.engine = NoopJobs.intake(Runline.builder(), intake)
        .endpoint(limits.apply(NoopJobs.endpoint(workers, job -> {
          batch.countDown();
          return job.input();
        })).build())
        .build();
  }

  @Override
  public void runBatch(Producers producers) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    batch = done;
    producers.submitAll(BATCH, i -> ids[i] = engine.as(null).endpoint(NoopJobs.ENDPOINT).run(JobRequest.of(NoopJobs.INPUT)).id());
    submitted += BATCH;
    awaitBatch(done);
  }

  @Override
  public void checkAndClose() {
    try {
      // The last batch's handlers have returned; wait for their terminal transitions.
      for (String id : ids) {
        if (id != null) {
          JobStatus status = engine.as(null).endpoint(NoopJobs.ENDPOINT).statusSync(id, STALL).join();
          if (status.status() != Status.COMPLETED) {
            throw new IllegalStateException("job " + id + " ended " + status);
          }
        }
      }
      Health.Jobs jobs = engine.as(null).endpoint(NoopJobs.ENDPOINT).health().jobs();
      if (jobs.completed() != submitted || jobs.failed() != 0 || jobs.inQueue() != 0 || jobs.inProgress() != 0) {
        throw new IllegalStateException("submitted " + submitted + " jobs, but the engine counts " + jobs);
      }
    } finally {
      engine.close();
    }
  }

  static void awaitBatch(CountDownLatch done) throws InterruptedException {
    if (!done.await(STALL.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " of " + BATCH + " jobs did not run within " + STALL);
    }
  }
}
