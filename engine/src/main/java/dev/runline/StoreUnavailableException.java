package dev.runline;

/**
 * The job store the nodes share cannot be reached now (it is down, or too slow to answer
 * within its timeout): nothing was done, and the call may be tried again.
 */
public final class StoreUnavailableException extends RunlineException {
  public StoreUnavailableException(String message) {
    super(Reason.STORE_UNAVAILABLE, message);
  }
}
