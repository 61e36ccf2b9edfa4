package dev.runline.spi;

import dev.runline.JobStatus;
import dev.runline.Status;

/**
 * One immutable snapshot of a job's current attempt. A job moves from snapshot to snapshot
 * only by compare-and-set ({@link JobStore#compareAndSet}), so a worker, a cancel, a purge,
 * a timeout and the ttl can race on it and exactly one of them wins each change.
 *
 * <p>Times are readings of the engine's {@link dev.runline.TimeSource}, in nanoseconds. The
 * queue time is kept exactly; the start and the end are kept as whole milliseconds after it,
 * rounded up (so a timeout or a retention measured from them never ends early), since a
 * retained job keeps one of these and the API shows milliseconds: 48 bytes instead of 56.
 */
public final class JobState {
  private static final long MILLI = 1_000_000L;

  private final Status status;
  private final int attempt;
  private final long queuedAt;
  /** Milliseconds from {@link #queuedAt} to the start, or 0 when not started (see {@link #workerId}). */
  private final int startedMillis;
  /** Milliseconds from {@link #queuedAt} to the end, or 0 while live. */
  private final int endedMillis;
  private final Object output;
  private final String error;
  private final String workerId;
  /** How often a lost worker's run of this job was given back to the queue, over the job's life. */
  private final int redeliveries;
  /** Grown by one by every change: a store shared by several nodes orders and checks changes by it. */
  private final int version;

  private JobState(Status status, int attempt, long queuedAt, int startedMillis, int endedMillis, Object output,
      String error, String workerId, int redeliveries, int version) {
    this.version = version;
    this.status = status;
    this.attempt = attempt;
    this.queuedAt = queuedAt;
    this.startedMillis = startedMillis;
    this.endedMillis = endedMillis;
    this.output = output;
    this.error = error;
    this.workerId = workerId;
    this.redeliveries = redeliveries;
  }

  /**
   * The state whose parts are these, as the accessors gave them: for a store that keeps the
   * parts elsewhere and makes the state again from them.
   */
  public static JobState of(Status status, int attempt, long queuedAt, int startedMillis, int endedMillis,
      Object output, String error, String workerId, int version) {
    return new JobState(status, attempt, queuedAt, startedMillis, endedMillis, output, error, workerId, 0, version);
  }

  /** A state as a shared store keeps it, with the redeliveries of the job's runs. */
  public static JobState of(Status status, int attempt, long queuedAt, int startedMillis, int endedMillis,
      Object output, String error, String workerId, int redeliveries, int version) {
    return new JobState(status, attempt, queuedAt, startedMillis, endedMillis, output, error, workerId, redeliveries,
        version);
  }

  /** A job queued for its {@code attempt} (1 for the first run) at {@code now}. */
  public static JobState queued(int attempt, long now) {
    return new JobState(Status.IN_QUEUE, attempt, now, 0, 0, null, null, null, 0, 0);
  }

  /** The next attempt of this ended job, queued at {@code now}, with nothing of this one kept. */
  public JobState requeued(long now) {
    return new JobState(Status.IN_QUEUE, attempt + 1, now, 0, 0, null, null, null, redeliveries, version + 1);
  }

  /**
   * This running job back in the queue because whoever ran it was lost (a remote worker, or a
   * node of a shared store): a new run (the attempt
   * number grows, so nothing the lost run still sends reaches the next), one more redelivery,
   * and the queue time kept, so the ttl still counts from submission.
   */
  public JobState redelivered() {
    return new JobState(Status.IN_QUEUE, attempt + 1, queuedAt, 0, 0, null, null, null, redeliveries + 1,
        version + 1);
  }

  /** This attempt, taken by {@code worker} at {@code now}. */
  public JobState started(String worker, long now) {
    return new JobState(Status.IN_PROGRESS, attempt, queuedAt, millisSinceQueued(now), 0, null, null, worker,
        redeliveries, version + 1);
  }

  /** This running attempt showing {@code progress} as its output. */
  public JobState withProgress(Object progress) {
    return new JobState(status, attempt, queuedAt, startedMillis, 0, progress, null, workerId, redeliveries,
        version + 1);
  }

  /** This attempt ended in {@code terminal} at {@code now}. */
  public JobState ended(Status terminal, Object out, String err, long now) {
    return new JobState(terminal, attempt, queuedAt, startedMillis, millisSinceQueued(now), out, err, workerId,
        redeliveries, version + 1);
  }

  /**
   * Whole milliseconds from the queue time to {@code now}, rounded up. A job lives at most
   * its ttl (7 days) in the queue and its execution timeout (7 days) running: far within an int.
   */
  private int millisSinceQueued(long now) {
    long millis = Math.max(0, Math.floorDiv(now - queuedAt + MILLI - 1, MILLI));
    return (int) Math.min(Integer.MAX_VALUE, millis);
  }

  public Status status() {
    return status;
  }

  /** Milliseconds from the queue time to the start (rounded up), or 0 when not started. */
  public int startedMillis() {
    return startedMillis;
  }

  /** Milliseconds from the queue time to the end (rounded up), or 0 while live. */
  public int endedMillis() {
    return endedMillis;
  }

  /**
   * Whether this state is IN_PROGRESS in the run that {@code run} started: the same attempt,
   * taken by the same worker at the same time. A redelivered job runs the same attempt again,
   * on another worker: a change computed for the first run must not reach the second.
   */
  public boolean isRunOf(JobState run) {
    return status == Status.IN_PROGRESS && attempt == run.attempt && startedMillis == run.startedMillis
        && java.util.Objects.equals(workerId, run.workerId);
  }

  /** Grown by one by every change of the job (0 when admitted). */
  public int version() {
    return version;
  }

  /**
   * 1 for the first run, grown by one by each retry and each redelivery of a lost worker's run:
   * each such run has its own number, so a change that names a run reaches no other.
   */
  public int attempt() {
    return attempt;
  }

  /** How often {@code /retry} queued this job again. */
  public int retries() {
    return attempt - 1 - redeliveries;
  }

  /** How often a run of this job was lost with its worker and the job queued again. */
  public int redeliveries() {
    return redeliveries;
  }

  /** When this attempt was queued. */
  public long queuedAt() {
    return queuedAt;
  }

  /** When a worker took this attempt (to the millisecond, rounded up), or the queue time when none did. */
  public long startedAt() {
    return queuedAt + startedMillis * MILLI;
  }

  /** When this attempt became terminal (to the millisecond, rounded up), or the queue time while live. */
  public long endedAt() {
    return queuedAt + endedMillis * MILLI;
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
      delay = (long) startedMillis;
      if (status.isTerminal()) {
        execution = (long) (endedMillis - startedMillis);
      } else if (output != null) {
        execution = Math.max(0, (now - startedAt()) / MILLI);
      }
    }
    int retries = retries();
    return new JobStatus(id, status, delay, execution, output, error, retries > 0 ? retries : null, workerId,
        redeliveries > 0 ? redeliveries : null);
  }

  @Override
  public String toString() {
    return "JobState[" + status + ", attempt " + attempt + (workerId != null ? ", " + workerId : "")
        + (redeliveries > 0 ? ", redelivered " + redeliveries : "")
        + (error != null ? ", error=" + error : "") + "]";
  }
}
