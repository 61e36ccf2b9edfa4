package dev.runline.testing;

import dev.runline.Timers;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Timers} that hands every timer to a {@link FakeTime} and counts the timers
 * scheduled with one particular delay, so a test can wait until the engine has armed a timer
 * of that length (e.g. a webhook retry) before it advances the clock past it.
 */
public final class RecordingTimers implements Timers {
  private final FakeTime time;
  private final long watchedNanos;
  private final AtomicInteger watched = new AtomicInteger();

  public RecordingTimers(FakeTime time, Duration watchedDelay) {
    this.time = time;
    this.watchedNanos = watchedDelay.toNanos();
  }

  @Override
  public Future<?> schedule(Runnable command, long delayNanos) {
    if (delayNanos == watchedNanos) {
      watched.incrementAndGet();
    }
    return time.schedule(command, delayNanos);
  }

  /** How many timers of the watched delay were scheduled so far. */
  public int watchedTimers() {
    return watched.get();
  }
}
