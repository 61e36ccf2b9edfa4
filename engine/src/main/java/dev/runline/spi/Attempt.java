package dev.runline.spi;

import dev.runline.ChunkSink;
import dev.runline.Handler;
import dev.runline.JobContext;

/**
 * One run of a job, as {@link QueuedJob#start} hands it to a backend. Every way of ending
 * or changing the job here belongs to this attempt only: once it has ended (completed,
 * failed, cancelled, timed out or expired), {@link #complete}, {@link #fail},
 * {@link #emit} and {@link #progress} change nothing, even if the job was retried since.
 *
 * <p>A backend either calls {@link #run} (the attempt runs a handler on the calling thread
 * and ends itself with its outcome), or computes the job its own way and ends it with
 * {@link #complete} or {@link #fail} (how a batch of jobs runs as one kernel launch).
 */
public interface Attempt extends JobContext, ChunkSink {

  /**
   * Runs {@code handler} for this attempt on the calling thread and ends the attempt with
   * its outcome: the output, or the exception it threw. While it runs, a cancel, an
   * execution timeout or the ttl interrupts the calling thread; the interrupt status is
   * cleared before this returns. Runs nothing when the attempt has already ended.
   */
  void run(Handler handler);

  /** Ends this attempt with {@code output} (shaped as a handler's return value). */
  void complete(Object output);

  /** Ends this attempt as FAILED with {@code error}'s type and message. */
  void fail(Throwable error);
}
