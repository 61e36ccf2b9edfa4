package dev.runline.testing;

import dev.runline.TimeSource;
import dev.runline.Timers;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A manual clock for the engine: it is both the {@link TimeSource} and the {@link Timers}, so
 * time passes only when a test calls {@link #advance}, which runs every timer that falls due,
 * in order, with the clock set to each timer's due time.
 */
public final class FakeTime implements TimeSource, Timers {
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private volatile long now = Duration.ofDays(1).toNanos();
  private long sequence;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public Future<?> schedule(Runnable command, long delayNanos) {
    synchronized (this) {
      Timer timer = new Timer(now + Math.max(0, delayNanos), sequence++, command);
      timers.add(timer);
      return timer;
    }
  }

  /** Moves the clock forward by {@code amount}, running each timer that falls due. */
  public void advance(Duration amount) {
    long target;
    synchronized (this) {
      target = now + amount.toNanos();
    }
    while (true) {
      Timer next;
      synchronized (this) {
        next = timers.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        timers.poll();
        now = Math.max(now, next.due);
      }
      if (!next.isCancelled()) {
        next.command.run();
      }
    }
  }

  /**
   * Moves the clock forward by {@code amount} without running the timers that fall due: a
   * job can be overdue without the engine's watch having seen it yet. They run at the next
   * {@link #advance}.
   */
  public synchronized void jump(Duration amount) {
    now += amount.toNanos();
  }

  /** Timers not yet run or cancelled. */
  public synchronized int pendingTimers() {
    return (int) timers.stream().filter(t -> !t.isCancelled()).count();
  }

  private static final class Timer implements Future<Object>, Comparable<Timer> {
    final long due;
    final long order;
    final Runnable command;
    private volatile boolean cancelled;

    Timer(long due, long order, Runnable command) {
      this.due = due;
      this.order = order;
      this.command = command;
    }

    @Override
    public int compareTo(Timer other) {
      int byDue = Long.compare(due, other.due);
      return byDue != 0 ? byDue : Long.compare(order, other.order);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
