package dev.runline;

/** A plain handler: its return value becomes the job's output. */
@FunctionalInterface
public interface Handler {
  /**
   * Runs one job. An exception makes the job FAILED with the exception's type and message;
   * a {@link java.util.Map} output with an {@code "error"} key makes it FAILED with that error.
   * The calling thread is interrupted when the job is cancelled, times out or expires.
   */
  Object handle(JobContext job) throws Exception;
}
