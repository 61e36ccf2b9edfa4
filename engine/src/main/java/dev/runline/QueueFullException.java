package dev.runline;

/** The endpoint's bounded queue holds as many jobs as it may; nothing was accepted. Try again later. */
public final class QueueFullException extends RunlineException {
  public QueueFullException(String message) {
    super(Reason.QUEUE_FULL, message);
  }
}
