package dev.runline.testing;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A manual clock for the engine: it is both the {@link Ticker} and the {@link Scheduler}, so
 * time passes only when a test calls {@link #advance}, which runs every timer that falls due,
 * in order, with the clock set to each timer's due time.
 */
public final class FakeTime implements Ticker, Scheduler {
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private volatile long now = Duration.ofDays(1).toNanos();
  private long sequence;

  @Override
  public long read() {
    return now;
  }

  @Override
  public Future<?> schedule(Executor executor, Runnable command, long delay, TimeUnit unit) {
    synchronized (this) {
      Timer timer = new Timer(now + Math.max(0, unit.toNanos(delay)), sequence++, executor, command);
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
        next.executor.execute(next.command);
      }
    }
  }

  /** Timers not yet run or cancelled. */
  public synchronized int pendingTimers() {
    return (int) timers.stream().filter(t -> !t.isCancelled()).count();
  }

  private static final class Timer implements Future<Object>, Comparable<Timer> {
    final long due;
    final long order;
    final Executor executor;
    final Runnable command;
    private volatile boolean cancelled;

    Timer(long due, long order, Executor executor, Runnable command) {
      this.due = due;
      this.order = order;
      this.executor = executor;
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
