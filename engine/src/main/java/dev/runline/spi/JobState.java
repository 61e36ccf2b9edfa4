package dev.runline.spi;

import dev.runline.JobStatus;
import dev.runline.Status;

/**
 * One immutable snapshot of a job's current attempt. A job moves from snapshot to snapshot
 * only by compare-and-set ({@link JobStore#compareAndSet}), so a worker, a cancel, a purge,
 * a timeout and the ttl can race on it and exactly one of them wins each change.
 *
 * <p>Times are readings of the engine's {@link dev.runline.TimeSource}, in nanoseconds.
 */
public final class JobState {
  private final Status status;
  private final int attempt;
  private final long queuedAt;
  private final long startedAt;
  private final long endedAt;
  private final Object output;
  private final String error;
  private final String workerId;

  private JobState(Status status, int attempt, long queuedAt, long startedAt, long endedAt, Object output,
      String error, String workerId) {
    this.status = status;
    this.attempt = attempt;
    this.queuedAt = queuedAt;
    this.startedAt = startedAt;
    this.endedAt = endedAt;
    this.output = output;
    this.error = error;
    this.workerId = workerId;
  }

  /** A job queued for its {@code attempt} (1 for the first run) at {@code now}. */
  public static JobState queued(int attempt, long now) {
    return new JobState(Status.IN_QUEUE, attempt, now, 0, 0, null, null, null);
  }

  /** This attempt, taken by {@code worker} at {@code now}. */
  public JobState started(String worker, long now) {
    return new JobState(Status.IN_PROGRESS, attempt, queuedAt, now, 0, null, null, worker);
  }

  /** This running attempt showing {@code progress} as its output. */
  public JobState withProgress(Object progress) {
    return new JobState(status, attempt, queuedAt, startedAt, 0, progress, null, workerId);
  }

  /** This attempt ended in {@code terminal} at {@code now}. */
  public JobState ended(Status terminal, Object out, String err, long now) {
    return new JobState(terminal, attempt, queuedAt, startedAt, now, out, err, workerId);
  }

  public Status status() {
    return status;
  }

  /** 1 for the first run, grown by one by each retry. */
  public int attempt() {
    return attempt;
  }

  /** When this attempt was queued. */
  public long queuedAt() {
    return queuedAt;
  }

  /** When a worker took this attempt, or 0. */
  public long startedAt() {
    return startedAt;
  }

  /** When this attempt became terminal, or 0. */
  public long endedAt() {
    return endedAt;
  }

  /** The output once terminal, or the latest progress value while running. */
  public Object output() {
    return output;
  }

  public String error() {
    return error;
  }

  /** The worker that took this attempt, or {@code null} while queued. */
  public String workerId() {
    return workerId;
  }

  public boolean wasStarted() {
    return workerId != null;
  }

  /** The status body of job {@code id} in this state, with times as of {@code now}. */
  public JobStatus toStatus(String id, long now) {
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
    return new JobStatus(id, status, delay, execution, output, error, attempt > 1 ? attempt - 1 : null, workerId);
  }

  private static long millis(long nanos) {
    return Math.max(0, nanos / 1_000_000L);
  }

  @Override
  public String toString() {
    return "JobState[" + status + ", attempt " + attempt + (workerId != null ? ", " + workerId : "")
        + (error != null ? ", error=" + error : "") + "]";
  }
}
