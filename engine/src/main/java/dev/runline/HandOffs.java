package dev.runline;

/**
 * A batch of hand-offs to backends, held by the thread that opened it: the jobs this thread
 * admits while the batch is open reach their backends together when it closes, instead of
 * one at a time ({@link Runline#batchHandOffs()}).
 *
 * <p>Why: handing a job to a backend whose workers are parked wakes one of them, a system call
 * and a context switch each, several microseconds on a virtual machine. A server that reads
 * many requests at once (an event loop serving many connections) opens a batch, admits them
 * all, and closes it: one wake-up then serves the whole batch.
 */
public interface HandOffs extends AutoCloseable {
  /** Hands the held jobs to their backends; a batch closes once, and only on its thread. */
  @Override
  void close();
}
