package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.spi.JobState;
import org.junit.jupiter.api.Test;

/** Each kind of change of a job's state applies exactly where the endpoint API allows it. */
class TransitionsTest {
  private static final long T0 = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final Job NO_JOB = null;

  private final JobState queued = JobState.queued(1, T0);
  private final JobState running = queued.started("w", T0 + 5 * MS);
  private final JobState completed = running.ended(Status.COMPLETED, "out", null, T0 + 9 * MS);
  private final JobState failed = running.ended(Status.FAILED, null, "boom", T0 + 9 * MS);

  @Test
  void startTakesOnlyAQueuedJob() {
    JobState started = Transitions.start("w2").next(NO_JOB, queued, T0 + 7 * MS);

    assertThat(started.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(started.workerId()).isEqualTo("w2");
    assertThat(started.startedAt()).isEqualTo(T0 + 7 * MS);
    assertThat(Transitions.start("w2").next(NO_JOB, running, T0 + 7 * MS)).isNull();
    assertThat(Transitions.start("w2").next(NO_JOB, completed, T0 + 7 * MS)).isNull();
  }

  @Test
  void anEndAppliesOnlyToTheRunningAttemptItNames() {
    Outcome done = new Outcome(Status.COMPLETED, "out", null);

    assertThat(Transitions.end(running, done).next(NO_JOB, running, T0 + 9 * MS).status()).isEqualTo(Status.COMPLETED);
    assertThat(Transitions.end(JobState.queued(2, T0).started("w", T0 + 5 * MS), done)
        .next(NO_JOB, running, T0 + 9 * MS)).as("another attempt").isNull();
    assertThat(Transitions.end(queued.started("w-elsewhere", T0 + 5 * MS), done).next(NO_JOB, running, T0 + 9 * MS))
        .as("the same attempt run by another worker (a redelivery)").isNull();
    assertThat(Transitions.end(running, done).next(NO_JOB, queued, T0 + 9 * MS)).as("not started").isNull();
    JobState retried = Transitions.REQUEUE.next(NO_JOB, failed, T0 + 20 * MS).started("w", T0 + 21 * MS);
    assertThat(Transitions.end(running, done).next(NO_JOB, retried, T0 + 22 * MS)).as("a late end of the first attempt").isNull();
  }

  @Test
  void cancelEndsAnyLiveJobAndNoTerminalOne() {
    assertThat(Transitions.cancel(null).next(NO_JOB, queued, T0).status()).isEqualTo(Status.CANCELLED);
    assertThat(Transitions.cancel(null).next(NO_JOB, running, T0).status()).isEqualTo(Status.CANCELLED);
    assertThat(Transitions.cancel(null).next(NO_JOB, completed, T0)).isNull();
  }

  @Test
  void endQueuedLeavesARunningJobAlone() {
    assertThat(Transitions.endQueued(Status.CANCELLED, "purged").next(NO_JOB, queued, T0).error()).isEqualTo("purged");
    assertThat(Transitions.endQueued(Status.CANCELLED, "purged").next(NO_JOB, running, T0)).isNull();
  }

  @Test
  void requeueTakesOnlyFailedOrTimedOutJobsAndStartsANewAttemptWithNothingKept() {
    JobState again = Transitions.REQUEUE.next(NO_JOB, failed, T0 + 20 * MS);

    assertThat(again.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.queuedAt()).isEqualTo(T0 + 20 * MS);
    assertThat(again.error()).isNull();
    assertThat(again.workerId()).isNull();
    assertThat(Transitions.REQUEUE.next(NO_JOB, completed, T0 + 20 * MS)).isNull();
    assertThat(Transitions.REQUEUE.next(NO_JOB, queued, T0 + 20 * MS)).isNull();
  }

  @Test
  void progressChangesOnlyTheRunningAttemptsOutput() {
    JobState shown = Transitions.progress(running, 0.5).next(NO_JOB, running, T0 + 6 * MS);

    assertThat(shown.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(shown.output()).isEqualTo(0.5);
    assertThat(Transitions.progress(queued.started("w-elsewhere", T0 + 5 * MS), 0.5).next(NO_JOB, running, T0 + 6 * MS))
        .isNull();
    assertThat(Transitions.progress(running, 0.5).next(NO_JOB, completed, T0 + 6 * MS)).isNull();
  }
}
