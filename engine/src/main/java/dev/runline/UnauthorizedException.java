package dev.runline;

/** The API key is missing or unknown. */
public final class UnauthorizedException extends RunlineException {
  public UnauthorizedException(String message) {
    super(Reason.UNAUTHORIZED, message);
  }
}
