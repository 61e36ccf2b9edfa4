package dev.runline.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.JobStatus;
import dev.runline.StreamBatch;

/**
 * The JSON shape of the endpoint API's answers, kept by the server rather than by the
 * engine's types: fields in the order the service writes them, absent values left out.
 */
final class ApiJson {
  private ApiJson() {}

  /** {@code mapper}, writing the engine's types in the API's shape. */
  static ObjectMapper shape(ObjectMapper mapper) {
    return mapper.addMixIn(JobStatus.class, StatusShape.class).addMixIn(StreamBatch.class, StreamShape.class);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"id", "status", "delayTime", "executionTime", "output", "error", "retries", "workerId"})
  private abstract static class StatusShape {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"id", "status", "delayTime", "stream"})
  private abstract static class StreamShape {}
}
