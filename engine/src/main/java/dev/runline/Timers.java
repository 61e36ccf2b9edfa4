package dev.runline;

import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay measured on the engine's {@link TimeSource}: the timers of long
 * polls, the execution-timeout watch, the job store's expiry and webhook retries. A task runs
 * on the timer's thread and must be quick.
 */
@FunctionalInterface
public interface Timers {
  /**
   * Runs {@code task} once {@code delayNanos} have passed.
   *
   * @return a handle whose {@link Future#cancel} stops the task if it has not run yet
   */
  Future<?> schedule(Runnable task, long delayNanos);

  /** Timers on {@code executor}, which the caller owns and shuts down. */
  static Timers of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (task, delayNanos) -> executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }
}
