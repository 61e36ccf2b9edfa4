package dev.runline.spi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one Jackson configuration of Runline's modules: the engine measures outputs and
 * writes webhooks with it, the compute kernels read inputs with it, and the HTTP server
 * starts from a copy of it (adding its read limits and the API's JSON shape).
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      // Handlers may return objects with no properties; they are written as {}.
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /** The shared mapper: thread-safe, and not to be reconfigured; {@link ObjectMapper#copy()} it to change it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
