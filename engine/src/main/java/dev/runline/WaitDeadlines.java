package dev.runline;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of long polls, one timer per millisecond of deadline rather than one per
 * waiter: a {@code runSync} that ends in time (most do) costs a link into its millisecond's
 * list and an unlink, both under that millisecond's own lock, instead of a timer queue's
 * insertion and removal under one lock shared by every thread. A deadline is kept to the
 * millisecond (rounded up), which is the unit waits are given in.
 */
final class WaitDeadlines {
  private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

  private final TimeSource time;
  private final Timers timers;
  private final ConcurrentHashMap<Long, Tick> ticks = new ConcurrentHashMap<>();

  WaitDeadlines(TimeSource time, Timers timers) {
    this.time = time;
    this.timers = timers;
  }

  /** A pending deadline; {@link #cancel()} it when the wait ended first. */
  static final class Deadline {
    private final Runnable onTimeout;
    private volatile Tick tick;
    private Deadline prev;
    private Deadline next;

    private Deadline(Runnable onTimeout) {
      this.onTimeout = onTimeout;
    }

    /** The wait ended first: {@code onTimeout} will not run (unless it is running already). */
    void cancel() {
      Tick at = tick;
      if (at != null) {
        at.unlink(this);
      }
    }
  }

  /** All waiters whose deadline falls in one millisecond. */
  private final class Tick {
    private final long millis;
    private Deadline first;
    private boolean fired;

    Tick(long millis) {
      this.millis = millis;
    }

    synchronized boolean link(Deadline deadline) {
      if (fired) {
        return false;
      }
      deadline.tick = this;
      deadline.next = first;
      if (first != null) {
        first.prev = deadline;
      }
      first = deadline;
      return true;
    }

    synchronized void unlink(Deadline deadline) {
      if (deadline.tick != this) {
        return;
      }
      if (deadline.prev != null) {
        deadline.prev.next = deadline.next;
      } else {
        first = deadline.next;
      }
      if (deadline.next != null) {
        deadline.next.prev = deadline.prev;
      }
      deadline.tick = null;
      deadline.prev = null;
      deadline.next = null;
    }

    void fire() {
      ticks.remove(millis, this);
      Deadline due;
      synchronized (this) {
        fired = true;
        due = first;
        first = null;
      }
      while (due != null) {
        Deadline next = due.next;
        due.tick = null;
        due.onTimeout.run();
        due = next;
      }
    }
  }

  /** Runs {@code onTimeout} once {@code delayNanos} have passed, unless cancelled first. */
  Deadline after(long delayNanos, Runnable onTimeout) {
    Deadline deadline = new Deadline(onTimeout);
    long now = time.nanoTime();
    long millis = Math.floorDiv(now + delayNanos + MILLI - 1, MILLI);
    while (true) {
      Tick tick = ticks.get(millis);
      if (tick == null) {
        Tick fresh = new Tick(millis);
        tick = ticks.putIfAbsent(millis, fresh);
        if (tick == null) {
          tick = fresh;
          timers.schedule(fresh::fire, Math.max(0, millis * MILLI - now));
        }
      }
      if (tick.link(deadline)) {
        return deadline;
      }
      // That millisecond fired in between: it is due now, so the next attempt finds it due too.
      if (time.nanoTime() >= millis * MILLI) {
        onTimeout.run();
        return deadline;
      }
    }
  }
}
