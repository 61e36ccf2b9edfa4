package dev.runline;

import java.time.Duration;
import java.util.Objects;

/**
 * A route's limit: a token bucket of {@code requests} refilled at {@code requests} per
 * {@code period} (a burst of that size passes at once), and at most {@code concurrent}
 * calls in flight at a time (0: no concurrency limit).
 */
public record RouteLimit(long requests, Duration period, int concurrent) {

  /** A limit that never refuses. */
  public static final RouteLimit UNLIMITED = new RouteLimit(Long.MAX_VALUE, Duration.ofSeconds(1), 0);

  public RouteLimit {
    Objects.requireNonNull(period, "period");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be at least 1, was " + requests);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    if (concurrent < 0) {
      throw new IllegalArgumentException("concurrent must be 0 (unlimited) or more, was " + concurrent);
    }
  }

  public static RouteLimit of(long requests, Duration period, int concurrent) {
    return new RouteLimit(requests, period, concurrent);
  }
}
