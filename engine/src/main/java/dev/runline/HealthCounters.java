package dev.runline;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An endpoint's {@code /health} job counts, kept exact by every transition rather than
 * counted by a scan: IN_QUEUE and IN_PROGRESS now; COMPLETED, FAILED (FAILED and TIMED_OUT,
 * expiry included) and retried since start. Cancelled jobs are in none of them.
 *
 * <p>The queue count doubles as the bounded queue: a place in it is reserved before a job
 * is created, so a full queue refuses at once and nothing is half-accepted.
 */
final class HealthCounters {
  private final AtomicInteger inQueue = new AtomicInteger();
  private final AtomicInteger inProgress = new AtomicInteger();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();

  /** Takes a place in the queue; {@code false} when {@code capacity} jobs already wait. */
  boolean reserve(int capacity) {
    if (inQueue.incrementAndGet() > capacity) {
      inQueue.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives back a place reserved for a job that was not queued after all. */
  void unreserve() {
    inQueue.decrementAndGet();
  }

  /**
   * Counts a job that moved from {@code from} to {@code to}. Entering IN_QUEUE by a retry
   * takes no place: the place was reserved by the retry. A redelivery (IN_PROGRESS → IN_QUEUE)
   * takes its place here, beyond the capacity if need be: a job accepted is never dropped.
   */
  void moved(Status from, Status to) {
    if (from == Status.IN_QUEUE) {
      inQueue.decrementAndGet();
    } else if (from == Status.IN_PROGRESS) {
      inProgress.decrementAndGet();
    }
    switch (to) {
      case IN_QUEUE -> {
        if (from == Status.IN_PROGRESS) {
          inQueue.incrementAndGet();
        } else {
          retried.increment();
        }
      }
      case IN_PROGRESS -> inProgress.incrementAndGet();
      case COMPLETED -> completed.increment();
      case FAILED, TIMED_OUT -> failed.increment();
      case CANCELLED -> { }
    }
  }

  boolean isIdle() {
    return inQueue.get() == 0 && inProgress.get() == 0;
  }

  Health.Jobs snapshot() {
    return new Health.Jobs(completed.sum(), failed.sum(), inProgress.get(), inQueue.get(), retried.sum());
  }
}
