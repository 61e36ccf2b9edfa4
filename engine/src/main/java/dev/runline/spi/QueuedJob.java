package dev.runline.spi;

import dev.runline.Handler;

/**
 * A job as a backend sees it. A backend either calls {@link #run(String)} (the engine runs
 * the endpoint's handler on the calling thread, from start to terminal state), or
 * {@link #run(String, Handler)} with a handler of its own (how a kernel endpoint's job
 * runs), or, to compute many jobs at once, {@link #start} each and then {@link #complete}
 * or {@link #fail} it.
 */
public interface QueuedJob {
  String id();

  /** The job's input. */
  Object input();

  /** Whether the job should wait while normal-priority jobs of its endpoint are waiting. */
  boolean lowPriority();

  /** Whether the job is still waiting to start (not cancelled, purged or expired). */
  boolean isQueued();

  /**
   * Whether the job is IN_PROGRESS. A worker still inside a handler whose job is no longer
   * running (cancelled or timed out, and ignoring the interrupt) is stuck: report it as
   * unhealthy.
   */
  boolean isRunning();

  /**
   * Runs the endpoint's handler for this job on the calling thread: moves it to IN_PROGRESS
   * (or does nothing if it no longer waits), runs the handler, and moves it to exactly one
   * terminal state. The thread is interrupted if the job is cancelled or times out; its
   * interrupt status is cleared before this returns.
   */
  void run(String workerId);

  /**
   * Like {@link #run(String)}, with {@code handler} in place of the endpoint's: the way a
   * backend runs a kernel endpoint's job (see {@link dev.runline.compute.ComputeHandlers}).
   * The same guarantees hold: at most one run per attempt, exactly one terminal state.
   */
  void run(String workerId, Handler handler);

  /**
   * Moves the job IN_QUEUE to IN_PROGRESS on {@code workerId}. Returns {@code false} when it
   * no longer waits (cancelled, purged or expired): then it must not run.
   */
  boolean start(String workerId);

  /**
   * Ends a started job with {@code output} (ignored when it already ended). A job started
   * with {@link #start} has no thread to interrupt: when it is cancelled or times out while
   * the backend computes, it ends at once and the later {@code complete} or {@code fail} is
   * dropped.
   */
  void complete(Object output);

  /** Ends a started job as FAILED (ignored when it already ended). */
  void fail(Throwable error);
}
