package dev.runline;

import java.time.Duration;

/** A rate or concurrency limit refused the call; it can succeed after {@link #retryAfter()}. */
public final class RateLimitedException extends RunlineException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(Reason.RATE_LIMITED, message);
    this.retryAfter = retryAfter;
  }

  /** How long until a retry of the same call can pass the limit. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
