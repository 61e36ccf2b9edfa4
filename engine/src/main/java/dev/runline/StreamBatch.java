package dev.runline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What {@code /stream} answers: the chunks produced since the previous call, each as
 * {@code {"output": chunk}}, with the job's state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "status", "delayTime", "stream"})
public record StreamBatch(String id, Status status, Long delayTime, List<Chunk> stream) {

  /** One chunk of a stream. */
  public record Chunk(Object output) {}
}
