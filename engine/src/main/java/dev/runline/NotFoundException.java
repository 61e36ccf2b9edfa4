package dev.runline;

/** The endpoint or job does not exist for this API key (never created, expired, or another key's). */
public final class NotFoundException extends RunlineException {
  public NotFoundException(String message) {
    super(Reason.NOT_FOUND, message);
  }
}
