package dev.runline;

/**
 * One immutable snapshot of a job's attempt. A job moves between snapshots by
 * compare-and-set only, so a worker, a cancel, a purge, a timeout and the ttl can race and
 * exactly one of them wins each transition.
 */
final class JobState {
  final Status status;
  /** 1 for the first run, grown by each retry. */
  final int attempt;
  /** Ticker time this attempt was queued. */
  final long queuedAt;
  /** Ticker time a worker took it, or 0. */
  final long startedAt;
  /** Ticker time it became terminal, or 0. */
  final long endedAt;
  /** Output (terminal), or the latest progress value (IN_PROGRESS). */
  final Object output;
  final String error;
  final String workerId;

  JobState(Status status, int attempt, long queuedAt, long startedAt, long endedAt,
      Object output, String error, String workerId) {
    this.status = status;
    this.attempt = attempt;
    this.queuedAt = queuedAt;
    this.startedAt = startedAt;
    this.endedAt = endedAt;
    this.output = output;
    this.error = error;
    this.workerId = workerId;
  }

  static JobState queued(int attempt, long now) {
    return new JobState(Status.IN_QUEUE, attempt, now, 0, 0, null, null, null);
  }

  JobState started(String worker, long now) {
    return new JobState(Status.IN_PROGRESS, attempt, queuedAt, now, 0, null, null, worker);
  }

  JobState withProgress(Object progress) {
    return new JobState(status, attempt, queuedAt, startedAt, 0, progress, null, workerId);
  }

  JobState ended(Status terminal, Object out, String err, long now) {
    return new JobState(terminal, attempt, queuedAt, startedAt, now, out, err, workerId);
  }

  boolean wasStarted() {
    return workerId != null;
  }

  JobStatus toStatus(String id, long now) {
    Long delay = null;
    Long execution = null;
    if (wasStarted()) {
      delay = millis(startedAt - queuedAt);
      if (status.isTerminal()) {
        execution = millis(endedAt - startedAt);
      } else if (output != null) {
        execution = millis(now - startedAt);
      }
    }
    return new JobStatus(id, status, delay, execution, output, error,
        attempt > 1 ? attempt - 1 : null, workerId);
  }

  private static long millis(long nanos) {
    return Math.max(0, nanos / 1_000_000L);
  }
}
