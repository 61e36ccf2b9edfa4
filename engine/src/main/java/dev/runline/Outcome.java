package dev.runline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a handler's result ends its attempt, as the endpoint API says: the return value is the
 * output (COMPLETED); a thrown exception fails the job with its type and message; a map (or
 * JSON object) with an {@code "error"} key fails it with that error and keeps the rest as the
 * output; an output larger than the endpoint allows fails it with a message naming the limit.
 */
record Outcome(Status status, Object output, String error) {

  /** The end of an attempt whose handler returned {@code output} or threw {@code thrown}. */
  static Outcome of(Object output, Throwable thrown, Endpoint endpoint) {
    if (thrown == null && OutputSize.exceeds(output, endpoint.maxOutputBytes())) {
      thrown = new IllegalStateException(tooLarge("output", endpoint));
    }
    if (thrown != null) {
      return new Outcome(Status.FAILED, null, describe(thrown));
    }
    if (output instanceof Map<?, ?> map && map.containsKey("error")) {
      Map<Object, Object> rest = new LinkedHashMap<>(map);
      Object error = rest.remove("error");
      return new Outcome(Status.FAILED, rest.isEmpty() ? null : rest, String.valueOf(error));
    }
    if (output instanceof ObjectNode node && node.has("error")) {
      ObjectNode rest = node.deepCopy();
      JsonNode error = rest.remove("error");
      return new Outcome(Status.FAILED, rest.isEmpty() ? null : rest, error.isTextual() ? error.asText() : error.toString());
    }
    return new Outcome(Status.COMPLETED, output, null);
  }

  /**
   * The end of an attempt whose worker, elsewhere, reported it failed with {@code error}, and
   * perhaps an {@code output} beside it: both kept as reported, except an output larger than
   * the endpoint allows, which is dropped with a note in the error.
   */
  static Outcome reported(Object output, String error, Endpoint endpoint) {
    if (output != null && OutputSize.exceeds(output, endpoint.maxOutputBytes())) {
      return new Outcome(Status.FAILED, null, error + " (" + tooLarge("output reported with it", endpoint) + ")");
    }
    return new Outcome(Status.FAILED, output, error);
  }

  /**
   * Checks a value a running job publishes (a stream chunk or a progress value) against the
   * endpoint's output limit.
   *
   * @throws IllegalArgumentException naming the limit when it is larger
   */
  static void checkSize(String what, Object value, Endpoint endpoint) {
    if (OutputSize.exceeds(value, endpoint.maxOutputBytes())) {
      throw new IllegalArgumentException(tooLarge(what, endpoint));
    }
  }

  /** {@code "<ExceptionType>: <message>"}, robust to exceptions that are anonymous or whose message throws. */
  static String describe(Throwable error) {
    String type = error.getClass().getSimpleName();
    if (type.isEmpty()) {
      type = error.getClass().getName();
    }
    String message;
    try {
      message = error.getMessage();
    } catch (Throwable unreadable) {
      message = "(its message could not be read: " + unreadable.getClass().getName() + ")";
    }
    return message == null ? type : type + ": " + message;
  }

  private static String tooLarge(String what, Endpoint endpoint) {
    return "the " + what + " is larger than endpoint '" + endpoint.name() + "' allows (maxOutputBytes "
        + endpoint.maxOutputBytes() + " bytes as JSON); return less, or raise the limit";
  }
}
