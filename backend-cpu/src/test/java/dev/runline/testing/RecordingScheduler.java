package dev.runline.testing;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Scheduler} that hands every timer to a {@link FakeTime} and counts the timers
 * scheduled with one particular delay, so a test can wait until the engine has armed a timer
 * of that length (e.g. a webhook retry) before it advances the clock past it.
 */
public final class RecordingScheduler implements Scheduler {
  private final FakeTime time;
  private final long watchedNanos;
  private final AtomicInteger watched = new AtomicInteger();

  public RecordingScheduler(FakeTime time, Duration watchedDelay) {
    this.time = time;
    this.watchedNanos = watchedDelay.toNanos();
  }

  @Override
  public Future<?> schedule(Executor executor, Runnable command, long delay, TimeUnit unit) {
    if (unit.toNanos(delay) == watchedNanos) {
      watched.incrementAndGet();
    }
    return time.schedule(executor, command, delay, unit);
  }

  /** How many timers of the watched delay were scheduled so far. */
  public int watchedTimers() {
    return watched.get();
  }
}
