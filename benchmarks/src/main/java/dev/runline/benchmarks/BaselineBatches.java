package dev.runline.benchmarks;

import static dev.runline.benchmarks.EngineBatches.BATCH;
import static dev.runline.benchmarks.EngineBatches.STALL;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baseline side of a submit-to-complete benchmark, the twin of {@link EngineBatches}: one
 * {@link ThreadPoolJobs} whose no-op handler counts the current batch down, the ids of the
 * batch, and the checks that every submitted job reached COMPLETED. {@code records} chooses
 * where the records are kept (a map, or a Caffeine cache with the engine's retention); the
 * rest is the same code for both. Used by {@link SubmitToCompleteBenchmark} and {@link WakeUps}.
 */
final class BaselineBatches implements Batches {
  final ThreadPoolJobs jobs;
  final String[] ids = new String[BATCH];
  private volatile CountDownLatch batch;
  private long submitted;

  BaselineBatches(int workers, ThreadPoolJobs.Records records) {
    this.jobs = new ThreadPoolJobs(workers, records, input -> {
      batch.countDown();
      return input;
    });
  }

  @Override
  public void runBatch(Producers producers) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(BATCH);
    batch = done;
    ThreadPoolJobs pool = jobs;
    String[] batchIds = ids;
    producers.submitAll(BATCH, i -> batchIds[i] = pool.submit(NoopJobs.INPUT));
    submitted += BATCH;
    EngineBatches.awaitBatch(done);
  }

  long submitted() {
    return submitted;
  }

  /** Also checks that every record is still kept. */
  @Override
  public void checkAndClose() {
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
