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

  /**
   * Nanoseconds since the epoch: the wall clock read once, then advanced by
   * {@link System#nanoTime()} so that it never goes back. The clock of nodes that share a job
   * store, whose times must mean the same on every node (keep the machines' clocks in sync).
   */
  static TimeSource wallClock() {
    long offset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    return () -> offset + System.nanoTime();
  }
}
