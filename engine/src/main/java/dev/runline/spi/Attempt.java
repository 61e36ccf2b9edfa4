package dev.runline.spi;

import dev.runline.ChunkSink;
import dev.runline.Handler;
import dev.runline.JobContext;

/**
 * One run of a job, as {@link QueuedJob#start} hands it to a backend. Every way of ending
 * or changing the job here belongs to this attempt only: once it has ended (completed,
 * failed, cancelled, timed out, expired or redelivered), {@link #complete}, {@link #fail},
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

  /**
   * Ends this attempt as FAILED with {@code error} as it is, keeping {@code output} (when not
   * {@code null}) beside it: how a backend whose worker runs elsewhere ends an attempt with what
   * that worker reported.
   */
  void fail(String error, Object output);

  /**
   * Registers what tells this attempt's worker to stop when the attempt is ended from outside
   * it (a cancel, its execution timeout or ttl, a shutdown that cancels it): what a backend whose
   * worker runs elsewhere, with no thread here to interrupt, needs. {@code stop} runs once, on
   * the thread that ended the attempt, so it must be quick; it does not run when the attempt
   * ends itself ({@link #complete}, {@link #fail}) or is {@linkplain #redeliver redelivered}.
   * A later registration replaces an earlier one.
   *
   * @return {@code false}, registering nothing, when this attempt has already ended
   */
  boolean onStop(Runnable stop);

  /**
   * Gives this attempt's job back to the queue because its worker was lost (e.g. a remote
   * worker that stopped reporting): the job is IN_QUEUE again, as a new run whose status body
   * counts the redelivery, and is dispatched to the backend again. Nothing this attempt does
   * afterwards changes the job. Its ttl still counts from its submission.
   *
   * @return {@code false}, changing nothing, when this attempt has already ended
   */
  boolean redeliver();

  /** How often this job was redelivered, over its life, before this run. */
  int redeliveries();
}
