package dev.runline.remote;

/**
 * How a worker's report was taken.
 *
 * @param kind {@link Kind#ACCEPTED}, {@link Kind#IGNORED} or {@link Kind#REFUSED}
 * @param detail what happened, in words a worker's log can show
 */
public record ReportAnswer(Kind kind, String detail) {

  public enum Kind {
    /** It changed the job. */
    ACCEPTED,
    /**
     * Acknowledged, and changed nothing: the job was cancelled, timed out or already ended (or
     * is no longer kept). The worker did nothing wrong.
     */
    IGNORED,
    /** Refused, changing nothing: the worker does not hold the job (it was taken back from it, or never its). */
    REFUSED
  }

  static ReportAnswer accepted(String detail) {
    return new ReportAnswer(Kind.ACCEPTED, detail);
  }

  static ReportAnswer ignored(String detail) {
    return new ReportAnswer(Kind.IGNORED, detail);
  }

  static ReportAnswer refused(String detail) {
    return new ReportAnswer(Kind.REFUSED, detail);
  }
}
