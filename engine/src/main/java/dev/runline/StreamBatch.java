package dev.runline;

import java.util.List;

/**
 * What {@code /stream} answers: the chunks produced since the previous call, each as
 * {@code {"output": chunk}}, with the job's state.
 */
public record StreamBatch(String id, Status status, Long delayTime, List<Chunk> stream) {

  /** One chunk of a stream. */
  public record Chunk(Object output) {}
}
