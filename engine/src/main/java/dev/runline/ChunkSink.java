package dev.runline;

/** Where a {@link StreamingHandler} yields its chunks. */
@FunctionalInterface
public interface ChunkSink {
  /**
   * Publishes one chunk. Returns {@code false} (and drops the chunk) once the job is no
   * longer running, e.g. after it was cancelled; a handler may stop then.
   */
  boolean emit(Object chunk);
}
