package dev.runline;

/**
 * A generator handler: each value passed to {@link ChunkSink#emit} becomes a chunk readable
 * once through {@code /stream}. The job's final output is the list of all chunks when the
 * endpoint is configured with {@code returnAggregateStream}, else an empty list.
 */
@FunctionalInterface
public interface StreamingHandler {
  void handle(JobContext job, ChunkSink sink) throws Exception;
}
