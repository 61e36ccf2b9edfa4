package dev.runline;

/**
 * Receives a job's chunks as they are produced, for in-process readers (see
 * {@link Runline#subscribe}). Called on the producing thread, in order: keep it quick.
 */
public interface StreamListener {
  void onChunk(Object chunk);

  /** The attempt ended; no chunk follows. */
  void onTerminal(JobStatus status);
}
