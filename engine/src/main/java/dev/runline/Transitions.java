package dev.runline;

import dev.runline.spi.JobState;

/**
 * Every change a job's state can go through, as in the endpoint API: IN_QUEUE → IN_PROGRESS
 * → COMPLETED | FAILED | TIMED_OUT; IN_QUEUE or IN_PROGRESS → CANCELLED; a live job →
 * TIMED_OUT when its ttl passes; FAILED | TIMED_OUT → IN_QUEUE by a retry; IN_PROGRESS →
 * IN_QUEUE when its worker was lost (a redelivery). A change that ends or alters a running
 * attempt names the run (attempt, worker, start), so it cannot touch a later attempt, or the
 * same attempt run again elsewhere.
 */
final class Transitions {
  /** A live job whose ttl passed: TIMED_OUT, and the store drops it. */
  static final Transition EXPIRE = (job, s, now) -> isLive(s)
      ? s.ended(Status.TIMED_OUT, null, "ttl of " + job.ttlMillis() + " ms passed", now)
      : null;

  /** FAILED or TIMED_OUT → IN_QUEUE as the next attempt, with no output or error. */
  static final Transition REQUEUE = (job, s, now) -> s.status() == Status.FAILED || s.status() == Status.TIMED_OUT
      ? s.requeued(now)
      : null;

  private Transitions() {}

  /** IN_QUEUE → IN_PROGRESS on {@code workerId}. */
  static Transition start(String workerId) {
    return (job, s, now) -> s.status() == Status.IN_QUEUE ? s.started(workerId, now) : null;
  }

  /** IN_PROGRESS in the run {@code run} started → the outcome's terminal state. */
  static Transition end(JobState run, Outcome outcome) {
    return (job, s, now) -> s.isRunOf(run) ? s.ended(outcome.status(), outcome.output(), outcome.error(), now) : null;
  }

  /** IN_QUEUE or IN_PROGRESS → CANCELLED. */
  static Transition cancel(String reason) {
    return (job, s, now) -> isLive(s) ? s.ended(Status.CANCELLED, null, reason, now) : null;
  }

  /** IN_QUEUE only → {@code terminal}: a running job is left alone (purge, shutdown, refused dispatch). */
  static Transition endQueued(Status terminal, String reason) {
    return (job, s, now) -> s.status() == Status.IN_QUEUE ? s.ended(terminal, null, reason, now) : null;
  }

  /** IN_PROGRESS → TIMED_OUT once its execution timeout has passed. */
  static final Transition TIME_OUT = (job, s, now) ->
      s.status() == Status.IN_PROGRESS && now - s.startedAt() >= job.executionTimeoutNanos()
          ? s.ended(Status.TIMED_OUT, null, "execution timeout of " + job.executionTimeoutMillis() + " ms passed", now)
          : null;

  /**
   * IN_PROGRESS in the run {@code run} started → IN_QUEUE as the next run, its worker lost: the
   * job waits to be taken again, its ttl still counting from submission.
   */
  static Transition redeliver(JobState run) {
    return (job, s, now) -> s.isRunOf(run) ? s.redelivered() : null;
  }

  /** IN_PROGRESS in the run {@code run} started → the same, showing {@code value} as its output. */
  static Transition progress(JobState run, Object value) {
    return (job, s, now) -> s.isRunOf(run) ? s.withProgress(value) : null;
  }

  /**
   * IN_PROGRESS on a worker of {@code node}, a node the shared store lost → the same attempt
   * queued again (redelivered), or FAILED naming the node when {@code giveUp}.
   */
  static Transition lost(String node, boolean giveUp, int redeliveries) {
    String prefix = node + "/";
    return (job, s, now) -> {
      if (s.status() != Status.IN_PROGRESS || s.workerId() == null || !s.workerId().startsWith(prefix)) {
        return null;
      }
      return giveUp
          ? s.ended(Status.FAILED, null, "node '" + node + "' was lost while running the job, which was redelivered "
              + redeliveries + " time(s) already", now)
          : s.redelivered();
    };
  }

  static boolean isLive(JobState s) {
    return !s.status().isTerminal();
  }

}
