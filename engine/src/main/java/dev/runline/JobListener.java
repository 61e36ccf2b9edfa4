package dev.runline;

/**
 * Observes jobs as they end, e.g. for metrics. Called on the thread that ended the job
 * (often a worker): keep it quick, and do not throw (exceptions are logged and dropped).
 */
@FunctionalInterface
public interface JobListener {
  /** The job's attempt reached {@code status.status()}, a terminal state. */
  void onTerminal(String endpoint, JobStatus status);
}
