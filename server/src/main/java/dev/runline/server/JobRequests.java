package dev.runline.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.base.Utf8;
import com.google.common.primitives.Longs;
import dev.runline.InvalidRequestException;
import dev.runline.JobRequest;
import dev.runline.Policy;
import dev.runline.spi.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Turns the JSON body of {@code /run} and {@code /runsync} into a {@link JobRequest}. The
 * parser's read constraints bound nesting, number and string sizes, and duplicate keys are
 * refused, so hostile JSON is a 400, never a stack overflow or an out-of-memory.
 */
final class JobRequests {
  static final int MAX_NESTING_DEPTH = 128;
  static final int MAX_NUMBER_LENGTH = 200;
  static final int MAX_STRING_LENGTH = 20 * 1024 * 1024;

  /** Runline's shared configuration, with bounds on what a request may hold, and the API's JSON shape. */
  static final ObjectMapper MAPPER = withReadLimits(ApiJson.shape(Json.mapper().copy()));

  private JobRequests() {}

  private static ObjectMapper withReadLimits(ObjectMapper mapper) {
    mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING_DEPTH)
        .maxNumberLength(MAX_NUMBER_LENGTH)
        .maxStringLength(MAX_STRING_LENGTH)
        .build());
    // A key given twice is refused rather than "the last one wins".
    return mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Parses a request body; every problem is an {@link InvalidRequestException} naming the field. */
  static JobRequest parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw new InvalidRequestException("the request body is empty; send JSON like {\"input\": {\"prompt\": \"...\"}}");
    }
    JsonNode root = readTree(body);
    if (!(root instanceof ObjectNode object)) {
      throw new InvalidRequestException("the request body must be a JSON object like {\"input\": {...}}, was "
          + root.getNodeType().name().toLowerCase());
    }
    return new JobRequest(plain(object.get("input")), webhook(object), policy(object.get("policy")),
        plain(object.get("s3Config")));
  }

  /**
   * A parsed subtree as plain Java values (maps, lists, strings, numbers, booleans), read
   * straight from the tree rather than written out to tokens and read back; {@code null} when
   * the field is absent or JSON null.
   */
  private static Object plain(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return MAPPER.treeToValue(node, Object.class);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("unreadable request body: " + e.getOriginalMessage());
    }
  }

  static JsonNode readTree(byte[] body) {
    // Strict checking first: Jackson's byte parser lets overlong forms, encoded surrogates and
    // code points past U+10FFFF through, silently reinterpreted.
    if (!Utf8.isWellFormed(body)) {
      throw new InvalidRequestException("the request body is not valid UTF-8");
    }
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw new InvalidRequestException("the request body holds no JSON value");
      }
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      String what = e.getOriginalMessage().replaceAll("\\s*\\(?(start marker )?at \\[Source:.*$", "");
      throw new InvalidRequestException("malformed JSON" + where + ": " + what);
    } catch (IOException e) {
      throw new InvalidRequestException("unreadable request body: " + e.getMessage());
    }
  }

  private static URI webhook(ObjectNode object) {
    JsonNode node = object.get("webhook");
    String field = "webhook";
    if (node == null || node.isNull()) {
      node = object.get("webhookV2");
      field = "webhookV2";
    }
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidRequestException(field + " must be a URL string, was " + node.getNodeType().name().toLowerCase());
    }
    try {
      return new URI(node.asText());
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(field + " is not a valid URL: " + e.getReason());
    }
  }

  private static Policy policy(JsonNode node) {
    if (node == null || node.isNull()) {
      return Policy.UNSET;
    }
    if (!node.isObject()) {
      throw new InvalidRequestException("policy must be an object like {\"executionTimeout\": 600000}, was "
          + node.getNodeType().name().toLowerCase());
    }
    Duration executionTimeout = millis(node, "executionTimeout");
    Duration ttl = millis(node, "ttl");
    JsonNode low = node.get("lowPriority");
    boolean lowPriority = false;
    if (low != null && !low.isNull()) {
      if (!low.isBoolean()) {
        throw new InvalidRequestException("policy.lowPriority must be true or false, was " + low);
      }
      lowPriority = low.booleanValue();
    }
    return new Policy(executionTimeout, ttl, lowPriority);
  }

  private static Duration millis(JsonNode policy, String field) {
    JsonNode node = policy.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new InvalidRequestException("policy." + field + " must be a whole number of milliseconds, was " + node);
    }
    long value = node.longValue();
    if (value < 0) {
      throw new InvalidRequestException("policy." + field + " must not be negative, was " + value);
    }
    return Duration.ofMillis(value);
  }

  /** A query parameter in milliseconds, or {@code fallback} when absent. */
  static long queryMillis(String name, String value, long fallback) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    Long parsed = Longs.tryParse(value);
    if (parsed == null) {
      throw new InvalidRequestException(name + " must be a whole number of milliseconds, was '" + truncate(value) + "'");
    }
    if (parsed < 0) {
      throw new InvalidRequestException(name + " must be zero or more milliseconds, was " + value);
    }
    return parsed;
  }

  static String truncate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
