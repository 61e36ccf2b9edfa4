package dev.runline;

/**
 * The engine's time: a monotonic reading in nanoseconds, as {@link System#nanoTime()} gives
 * it. Every timeout, ttl, retention period and rate limit is measured on it, so a test that
 * supplies its own controls them all without sleeping.
 */
@FunctionalInterface
public interface TimeSource {
  /** The current reading, in nanoseconds; only differences between readings mean anything. */
  long nanoTime();

  /** {@link System#nanoTime()}. */
  static TimeSource system() {
    return System::nanoTime;
  }
}
