package dev.runline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One mapping of a configuration file: its node, its dotted path and the keys it may hold.
 * A key outside those fails at once, and every read checks the value's type; each fault is
 * a {@link ConfigException} naming the full path of the key.
 *
 * <p>The file is walked as a Jackson tree rather than bound to classes because the file's
 * shape has value-dependent alternatives ({@code limits: off} or a mapping of routes) and
 * because explicit key lists give messages that name the path and the allowed keys at
 * every level, including the keys of the maps whose keys are data (routes).
 */
final class Section {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  // At most 18 digits, so the amount always fits a long; the unit's overflow is caught apart.
  private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)?");
  private static final String DURATION_FORMS =
      "write a whole number and a unit (500ms, 10s, 30m, 24h, 7d), or a plain number of milliseconds";

  private final String source;
  private final String path;
  private final ObjectNode node;
  private final List<String> allowed;

  private Section(String source, String path, ObjectNode node, String noun, List<String> allowed) {
    this.source = source;
    this.path = path;
    this.node = node;
    this.allowed = allowed;
    if (!allowed.isEmpty()) {
      for (String key : keys()) {
        if (!allowed.contains(key)) {
          throw fail(key, "unknown " + noun + suggestion(key) + "; the " + noun + "s allowed "
              + (path.isEmpty() ? "at the top level" : "in " + path) + " are " + String.join(", ", allowed));
        }
      }
    }
  }

  /** The file's top level; an empty document is an empty mapping. */
  static Section top(JsonNode root, String source, List<String> allowed) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new Section(source, "", JsonNodeFactory.instance.objectNode(), "key", allowed);
    }
    if (!root.isObject()) {
      throw new ConfigException(source, "",
          "the file must be a mapping of settings (key: value), was " + describe(root), null);
    }
    return new Section(source, "", (ObjectNode) root, "key", allowed);
  }

  /** The mapping under {@code key}, holding only {@code allowed} keys; empty when absent. */
  Section section(String key, List<String> allowed) {
    return section(key, "key", allowed);
  }

  /**
   * The mapping under {@code key}, holding only {@code allowed} keys ({@code noun} names
   * what they are in messages, e.g. "route"); empty when absent.
   */
  Section section(String key, String noun, List<String> allowed) {
    JsonNode value = get(key);
    if (value == null) {
      return new Section(source, pathOf(key), JsonNodeFactory.instance.objectNode(), noun, allowed);
    }
    if (!value.isObject()) {
      throw fail(key, "expected a mapping (key: value), was " + describe(value));
    }
    return new Section(source, pathOf(key), (ObjectNode) value, noun, allowed);
  }

  /** The mapping under {@code key} whose keys are data (any key); empty when absent. */
  Section mapping(String key) {
    return section(key, "key", List.of());
  }

  /** The keys present, in file order. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** The value under {@code key}, or {@code null} when it is absent or empty ({@code key:} or {@code ~}). */
  JsonNode get(String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? null : value;
  }

  /**
   * The value under {@code key} converted by {@code type}, or {@code null} when absent. The
   * converter's {@link IllegalArgumentException} becomes a fault at the key.
   */
  <T> T value(String key, Function<JsonNode, T> type) {
    JsonNode value = get(key);
    if (value == null) {
      return null;
    }
    try {
      return type.apply(value);
    } catch (IllegalArgumentException e) {
      throw fail(key, e.getMessage());
    }
  }

  /**
   * Like {@link #value(String, Function)}, then hands a present value to {@code setter} (a
   * builder's checking setter), turning its refusal into a fault at the key.
   */
  <T> T value(String key, Function<JsonNode, T> type, Consumer<? super T> setter) {
    T value = value(key, type);
    if (value != null) {
      attempt(pathOf(key), List.of(key), () -> {
        setter.accept(value);
        return null;
      });
    }
    return value;
  }

  /**
   * The list of strings under {@code key} (empty when absent), each handed to
   * {@code setter}. Messages name an element by index and never quote it, since the list
   * may hold secrets such as API keys.
   */
  List<String> strings(String key, Consumer<String> setter) {
    JsonNode value = get(key);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw fail(key, "expected a list of strings, was " + kind(value));
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode element = value.get(i);
      String elementPath = pathOf(key) + "[" + i + "]";
      if (!element.isTextual()) {
        throw new ConfigException(source, elementPath, elementPath + ": expected a string, was " + kind(element), null);
      }
      attempt(elementPath, List.of(), () -> {
        setter.accept(element.textValue());
        return null;
      });
      strings.add(element.textValue());
    }
    return strings;
  }

  /** Runs a builder call that checks several of this section's values at once. */
  void apply(Runnable action) {
    attempt(path, allowed.isEmpty() ? keys() : allowed, () -> {
      action.run();
      return null;
    });
  }

  /** Runs a builder call whose refusal is about {@code key}, and returns its result. */
  <T> T apply(String key, Supplier<T> action) {
    return attempt(pathOf(key), List.of(), action);
  }

  /** A fault at {@code key} of this section. */
  ConfigException fail(String key, String problem) {
    return new ConfigException(source, pathOf(key), pathOf(key) + ": " + problem, null);
  }

  String source() {
    return source;
  }

  String pathOf(String key) {
    String segment = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key + "\"]";
    if (path.isEmpty()) {
      return segment;
    }
    return segment.startsWith("[") ? path + segment : path + "." + segment;
  }

  /**
   * Runs {@code action}; its {@link IllegalArgumentException} becomes a fault at
   * {@code at}. The builders' messages open with the name of the setting they check
   * ("workers must be ...", "retention.run must be ...", "webhookAttempts must be ...");
   * when that name is one of {@code keys}, the key joins the path and the name is dropped,
   * so the message speaks of the file's key at its exact place.
   */
  private <T> T attempt(String at, List<String> keys, Supplier<T> action) {
    try {
      return action.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int space = message.indexOf(' ');
      String lead = space < 0 ? message : message.substring(0, space);
      String name = lead.substring(lead.lastIndexOf('.') + 1);
      for (String key : keys) {
        if (name.equals(key) || name.endsWith(Character.toUpperCase(key.charAt(0)) + key.substring(1))) {
          String keyPath = at.equals(path) ? pathOf(key) : at;
          throw new ConfigException(source, keyPath, keyPath + message.substring(lead.length()), e);
        }
      }
      throw new ConfigException(source, at, (at.isEmpty() ? "" : at + ": ") + message, e);
    }
  }

  private String suggestion(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : allowed) {
      int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= 2 && bestDistance < best.length() ? " (did you mean " + best + "?)" : "";
  }

  /** Levenshtein distance, for suggesting the key a typo meant. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  // Converters: each returns the value or throws IllegalArgumentException saying what the
  // value is and what is expected; value(...) adds the path.

  static String text(JsonNode value) {
    if (!value.isTextual()) {
      throw new IllegalArgumentException("expected a string, was " + describe(value));
    }
    return value.textValue();
  }

  static Boolean bool(JsonNode value) {
    if (!value.isBoolean()) {
      throw new IllegalArgumentException("expected true or false, was " + describe(value));
    }
    return value.booleanValue();
  }

  static Integer integer(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      return value.intValue();
    }
    throw new IllegalArgumentException("expected a whole number between " + Integer.MIN_VALUE + " and "
        + Integer.MAX_VALUE + ", was " + describe(value));
  }

  static Long whole(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    throw new IllegalArgumentException("expected a whole number between " + Long.MIN_VALUE + " and "
        + Long.MAX_VALUE + ", was " + describe(value));
  }

  /** A duration: {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}, or an integer of milliseconds. */
  static Duration duration(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
      return Duration.ofMillis(value.longValue());
    }
    Matcher m = value.isTextual() ? DURATION.matcher(value.textValue().trim()) : null;
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("bad duration " + describe(value) + "; " + DURATION_FORMS);
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration " + describe(value) + " is too large", e);
    }
  }

  /**
   * An enum constant by name, ignoring case and accepting {@code -} for {@code _}
   * ({@code lite-blocking} is {@code LITE_BLOCKING}).
   */
  static <E extends Enum<E>> Function<JsonNode, E> choice(Class<E> type) {
    return value -> {
      if (value.isTextual()) {
        String wanted = value.textValue().trim().replace('-', '_');
        for (E constant : type.getEnumConstants()) {
          if (constant.name().equalsIgnoreCase(wanted)) {
            return constant;
          }
        }
      }
      throw new IllegalArgumentException(describe(value) + " is not one of " + Arrays.stream(type.getEnumConstants())
          .map(c -> c.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.joining(", ")));
    };
  }

  /** Whether a value switches something off: {@code off} or {@code false} (YAML reads a bare {@code off} as false). */
  static boolean isOff(JsonNode value) {
    return value.isBoolean() && !value.booleanValue()
        || value.isTextual() && value.textValue().trim().equalsIgnoreCase("off");
  }

  /** The value as a message quotes it. */
  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "'" + value.textValue() + "'";
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    return kind(value);
  }

  /** The value's kind only, for values that must not be quoted. */
  static String kind(JsonNode value) {
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isNumber()) {
      return "a number";
    }
    if (value.isBoolean()) {
      return "a boolean";
    }
    return "empty";
  }
}
