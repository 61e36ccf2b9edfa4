package dev.runline;

/** A field is invalid, or the job is in the wrong state for the route. */
public final class InvalidRequestException extends RunlineException {
  public InvalidRequestException(String message) {
    super(Reason.INVALID_REQUEST, message);
  }
}
