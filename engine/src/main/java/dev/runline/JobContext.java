package dev.runline;

/** What a handler sees of the job it runs. */
public interface JobContext {
  /** The job's id. */
  String id();

  /** The endpoint's name. */
  String endpoint();

  /** The job's input, as submitted. */
  Object input();

  /** The request's {@code s3Config}, or {@code null}. */
  Object s3Config();

  /** How often this job was retried before this attempt. */
  int retries();

  /** The worker that runs this attempt. */
  String workerId();

  /**
   * Publishes a progress value: {@code /status} shows it as the output while the job is
   * IN_PROGRESS. Dropped once the job is terminal.
   */
  void progress(Object update);

  /** Whether this attempt has ended (cancelled, timed out or expired) and its work is wasted. */
  boolean isCancelled();
}
