package dev.runline;

import java.time.Duration;

/**
 * A job's execution policy. A {@code null} duration means "the endpoint's default".
 *
 * @param executionTimeout how long the job may run before it ends TIMED_OUT (5 s .. 7 days)
 * @param ttl how long the job may live, counted from submission over queue and execution
 *     time, before it is removed (10 s .. 7 days)
 * @param lowPriority when true the job runs only while no normal job of its endpoint waits
 */
public record Policy(Duration executionTimeout, Duration ttl, boolean lowPriority) {

  public static final Duration MIN_EXECUTION_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration MIN_TTL = Duration.ofSeconds(10);
  public static final Duration MAX = Duration.ofDays(7);

  /** The service's defaults: a 10-minute execution timeout and a 24-hour ttl. */
  public static final Policy DEFAULT = new Policy(Duration.ofMinutes(10), Duration.ofHours(24), false);

  /** No explicit setting: every value comes from the endpoint's default policy. */
  public static final Policy UNSET = new Policy(null, null, false);

  public Policy withExecutionTimeout(Duration executionTimeout) {
    return new Policy(executionTimeout, ttl, lowPriority);
  }

  public Policy withTtl(Duration ttl) {
    return new Policy(executionTimeout, ttl, lowPriority);
  }

  public Policy withLowPriority(boolean lowPriority) {
    return new Policy(executionTimeout, ttl, lowPriority);
  }

  /**
   * Checks the ranges of the service.
   *
   * @throws InvalidRequestException naming the field and its allowed range
   */
  public void validate() {
    check("policy.executionTimeout", executionTimeout, MIN_EXECUTION_TIMEOUT);
    check("policy.ttl", ttl, MIN_TTL);
  }

  private static void check(String field, Duration value, Duration min) {
    if (value != null && (value.compareTo(min) < 0 || value.compareTo(MAX) > 0)) {
      throw new InvalidRequestException(field + " must be between " + min.toMillis() + " and "
          + MAX.toMillis() + " milliseconds, was " + value.toMillis());
    }
  }

  /** This policy with each unset value taken from {@code defaults}. */
  Policy orElse(Policy defaults) {
    return new Policy(
        executionTimeout != null ? executionTimeout : defaults.executionTimeout,
        ttl != null ? ttl : defaults.ttl,
        lowPriority);
  }
}
