package dev.runline.remote;

import dev.runline.TimeSource;
import dev.runline.Timers;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The engine's time for tests: it passes only when a test calls {@link #advance}, which runs
 * the timers that fall due in order, with the clock set to each one's due time.
 */
final class ManualTime implements TimeSource, Timers {
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private volatile long now = Duration.ofDays(1).toNanos();
  private long sequence;

  private record Timer(long due, long order, Runnable task, CompletableFuture<Void> handle) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer other) {
      int byDue = Long.compare(due, other.due);
      return byDue != 0 ? byDue : Long.compare(order, other.order);
    }
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public synchronized Future<?> schedule(Runnable task, long delayNanos) {
    Timer timer = new Timer(now + Math.max(0, delayNanos), sequence++, task, new CompletableFuture<>());
    timers.add(timer);
    return timer.handle();
  }

  void advance(Duration amount) {
    long target;
    synchronized (this) {
      target = now + amount.toNanos();
    }
    while (true) {
      Timer next;
      synchronized (this) {
        next = timers.peek();
        if (next == null || next.due() > target) {
          now = target;
          return;
        }
        timers.poll();
        now = Math.max(now, next.due());
      }
      if (!next.handle().isCancelled()) {
        next.task().run();
      }
    }
  }
}
