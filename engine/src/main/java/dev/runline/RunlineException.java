package dev.runline;

/**
 * Why the engine refused a call. Each subclass is one kind of refusal that the HTTP layer
 * maps to one status code through {@link #reason()}; the message says, in words a user can
 * act on, what is wrong.
 */
public abstract sealed class RunlineException extends RuntimeException
    permits UnauthorizedException, NotFoundException, InvalidRequestException,
        RateLimitedException, QueueFullException, EngineClosedException, StoreUnavailableException {

  /** The kinds of refusal, one per subclass. */
  public enum Reason {
    /** Missing or unknown API key (HTTP 401). */
    UNAUTHORIZED,
    /** Unknown endpoint, unknown or expired job, or a job of another key (HTTP 404). */
    NOT_FOUND,
    /** A bad field, or a job in the wrong state for the route (HTTP 400). */
    INVALID_REQUEST,
    /** A rate or concurrency limit (HTTP 429 with Retry-After). */
    RATE_LIMITED,
    /** The endpoint's bounded queue is full (HTTP 503). */
    QUEUE_FULL,
    /** The engine is shutting down (HTTP 503). */
    ENGINE_CLOSED,
    /** The job store shared by several nodes cannot be reached now (HTTP 503). */
    STORE_UNAVAILABLE
  }

  private final Reason reason;

  RunlineException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
