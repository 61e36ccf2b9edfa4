package dev.runline;

import java.util.concurrent.CompletableFuture;

/**
 * What follows a job's current attempt, made only when something does: the thread running
 * it (for interrupts) or what stops its worker elsewhere, its stream, and the callers waiting
 * for its end. Guarded by the job's
 * monitor. Kept apart from {@link Job} so that a retained job that no one followed carries
 * none of it: most jobs end with no stream and no waiter.
 */
final class Followers {
  /**
   * A job's followers once its attempt's end was signalled and nothing needs keeping (no
   * stream to drain): shared by all such jobs, so a retained job holds no object of its own.
   */
  static final Followers ENDED = new Followers(true);

  Thread runner;
  /**
   * What tells the current attempt's worker elsewhere to stop when the attempt is ended from
   * outside it (a backend with no thread here to interrupt), or {@code null}.
   */
  Runnable stopper;
  StreamLog stream;
  /** The future the callers waiting for the end hold, or {@code null}. */
  CompletableFuture<JobStatus> waiters;
  /** Whether the attempt's end was signalled (listeners told, waiters woken). */
  boolean signalled;

  Followers() {}

  private Followers(boolean signalled) {
    this.signalled = signalled;
  }

  /** Whether this is the shared, empty {@link #ENDED}. */
  boolean isEnded() {
    return this == ENDED;
  }

  /** Whether nothing follows the attempt any more, so the job may drop this object. */
  boolean isEmpty() {
    return runner == null && stopper == null && stream == null && waiters == null;
  }
}
