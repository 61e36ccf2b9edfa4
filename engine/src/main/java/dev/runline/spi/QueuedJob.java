package dev.runline.spi;

import java.util.Optional;

/**
 * A job as a backend receives it, waiting to run. A backend starts it with
 * {@link #start}, which hands back the {@link Attempt} it then runs and ends; everything a
 * backend does to a job afterwards goes through that attempt, so nothing it does can touch
 * a later attempt of the same job (after a timeout and a retry, say).
 */
public interface QueuedJob {
  JobId id();

  /** The job's input, as submitted. */
  Object input();

  /** Whether the job should wait while normal-priority jobs of its endpoint are waiting. */
  boolean lowPriority();

  /** Whether the job is still waiting to start (not cancelled, purged or expired). */
  boolean isQueued();

  /**
   * Moves the job from IN_QUEUE to IN_PROGRESS on {@code workerId}, as a new attempt.
   *
   * @return the attempt to run, or empty when the job no longer waits (cancelled, purged,
   *     expired, or started by another worker): then it must not run
   */
  Optional<Attempt> start(String workerId);
}
