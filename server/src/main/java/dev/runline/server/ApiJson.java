package dev.runline.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.runline.JobStatus;
import dev.runline.StreamBatch;
import java.io.IOException;

/**
 * The JSON shape of the endpoint API's answers, kept by the server rather than by the
 * engine's types: fields in the order the service writes them, absent values left out. A
 * status body is written field by field with Jackson's generator (the answer of nearly every
 * request), rather than through a bean serializer's introspection.
 */
final class ApiJson {
  private ApiJson() {}

  /** {@code mapper}, writing the engine's types in the API's shape. */
  static ObjectMapper shape(ObjectMapper mapper) {
    return mapper.registerModule(new SimpleModule("runline-api")
        .addSerializer(JobStatus.class, new StatusWriter())
        .addSerializer(StreamBatch.class, new StreamWriter()));
  }

  private static final class StatusWriter extends StdSerializer<JobStatus> {
    StatusWriter() {
      super(JobStatus.class);
    }

    @Override
    public void serialize(JobStatus status, JsonGenerator json, SerializerProvider provider) throws IOException {
      json.writeStartObject();
      json.writeStringField("id", status.id());
      json.writeStringField("status", status.status().name());
      if (status.delayTime() != null) {
        json.writeNumberField("delayTime", status.delayTime());
      }
      if (status.executionTime() != null) {
        json.writeNumberField("executionTime", status.executionTime());
      }
      if (status.output() != null) {
        json.writeFieldName("output");
        provider.defaultSerializeValue(status.output(), json);
      }
      if (status.error() != null) {
        json.writeStringField("error", status.error());
      }
      if (status.retries() != null) {
        json.writeNumberField("retries", status.retries());
      }
      if (status.workerId() != null) {
        json.writeStringField("workerId", status.workerId());
      }
      if (status.redeliveries() != null) {
        json.writeNumberField("redeliveries", status.redeliveries());
      }
      json.writeEndObject();
    }
  }

  private static final class StreamWriter extends StdSerializer<StreamBatch> {
    StreamWriter() {
      super(StreamBatch.class);
    }

    @Override
    public void serialize(StreamBatch batch, JsonGenerator json, SerializerProvider provider) throws IOException {
      json.writeStartObject();
      json.writeStringField("id", batch.id());
      json.writeStringField("status", batch.status().name());
      if (batch.delayTime() != null) {
        json.writeNumberField("delayTime", batch.delayTime());
      }
      json.writeArrayFieldStart("stream");
      for (StreamBatch.Chunk chunk : batch.stream()) {
        json.writeStartObject();
        json.writeFieldName("output");
        provider.defaultSerializeValue(chunk.output(), json);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
  }
}
