package dev.runline.remote;

import java.time.Duration;

/** A worker asked for jobs faster than its endpoint's {@code maxTakeRate}; it may ask again after {@link #retryAfter()}. */
public final class WorkerThrottledException extends RuntimeException {
  private final transient Duration retryAfter;

  WorkerThrottledException(String message, Duration retryAfter) {
    super(message, null, false, false);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
