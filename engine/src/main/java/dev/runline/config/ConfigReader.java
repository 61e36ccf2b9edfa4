package dev.runline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runline.Route;
import dev.runline.config.ConfigFile.RouteLimitSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads YAML into a {@link ConfigFile}. Jackson binds the records and refuses unknown keys
 * and values of the wrong kind; its faults become {@link ConfigException}s naming the full
 * path of the key and what is allowed there, worded for the person editing the file, never
 * with Java type names. Durations, choices and {@code off} are formats of this file, so they
 * are read here.
 */
final class ConfigReader {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final List<String> ROUTES = Arrays.stream(Route.values()).map(Route::path).toList();

  // STRICT_DUPLICATE_DETECTION: a key given twice is a mistake, not "the last one wins".
  // AUTO_CLOSE_SOURCE off: a caller's Reader or InputStream stays the caller's to close.
  // Coercions off: '4' is not a number, 4 is not a string and 4.5 is not a whole number.
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .withCoercionConfig(LogicalType.Textual, text -> text
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .addModule(formats())
      .build();

  private ConfigReader() {}

  /** Something that reads the YAML text as a tree. */
  interface TreeSource {
    JsonNode read(YAMLMapper yaml) throws IOException;
  }

  /**
   * Reads and binds a configuration.
   *
   * @throws ConfigException when the text is not valid YAML or holds an unknown key or a value
   *     of the wrong kind or form
   * @throws UncheckedIOException when reading fails
   */
  static ConfigFile read(String source, TreeSource text) {
    JsonNode root;
    try {
      root = text.read(YAML);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(source, "", "not valid YAML" + where + ": " + e.getOriginalMessage().strip(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e, e);
    }
    if (root.isMissingNode() || root.isNull()) {
      return ConfigFile.EMPTY;
    }
    if (!root.isObject()) {
      throw new ConfigException(source, "",
          "the file must be a mapping of settings (key: value), was " + describe(root), null);
    }
    try {
      return YAML.treeToValue(root, ConfigFile.class);
    } catch (JsonMappingException e) {
      throw fault(source, root, e);
    } catch (JsonProcessingException e) {
      // Binding a tree parses nothing, so any fault of the text is a JsonMappingException.
      throw new IllegalStateException("cannot bind " + source, e);
    }
  }

  /** The path of {@code key} under {@code parent}, as messages write it. */
  static String pathOf(String parent, String key) {
    if (!PLAIN_KEY.matcher(key).matches()) {
      return parent + "[\"" + key + "\"]";
    }
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /** Jackson's fault at some key of the tree {@code root} as the file's fault at that key. */
  private static ConfigException fault(String source, JsonNode root, JsonMappingException e) {
    String parent = "";
    String path = "";
    JsonPointer pointer = JsonPointer.empty();
    for (JsonMappingException.Reference step : e.getPath()) {
      parent = path;
      if (step.getFieldName() != null) {
        path = pathOf(path, step.getFieldName());
        pointer = pointer.appendProperty(step.getFieldName());
      } else {
        path = path + "[" + step.getIndex() + "]";
        pointer = pointer.appendIndex(step.getIndex());
      }
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      return new ConfigException(source, path, path + ": " + unknownKey(unknown, parent), null);
    }
    // The file's own formats (durations, choices, off) refuse a value with a finished message.
    if (e.getCause() instanceof IllegalArgumentException refused) {
      return new ConfigException(source, path, path + ": " + refused.getMessage(), null);
    }
    Class<?> expected = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType()
        : e.getCause() instanceof InputCoercionException outOfRange ? outOfRange.getTargetType()
        : null;
    if (expected == null) {
      // Every fault of the text is one of the above; anything else is a fault of the records.
      throw new IllegalStateException("cannot bind " + path + " of " + source, e);
    }
    JsonNode value = root.at(pointer);
    // API keys are secrets: a message about one says only what kind of value it is.
    String shown = path.startsWith("apiKeys") ? kind(value) : describe(value);
    return new ConfigException(source, path, path + ": expected " + form(expected) + ", was " + shown, null);
  }

  private static String unknownKey(UnrecognizedPropertyException e, String parent) {
    Class<?> type = e.getReferringClass();
    String noun = type == Route.class ? "route" : "key";
    // Jackson holds a record's keys in no particular order; the record declares them in the documented one.
    List<String> allowed = type.isRecord() ? keysOf(type) : e.getKnownPropertyIds().stream().map(String::valueOf).toList();
    return "unknown " + noun + suggestion(e.getPropertyName(), allowed) + "; the " + noun + "s allowed "
        + (parent.isEmpty() ? "at the top level" : "in " + parent) + " are " + String.join(", ", allowed);
  }

  /** The keys a record of the file allows. */
  private static List<String> keysOf(Class<?> record) {
    return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  /** What a value of {@code type} is written as. */
  private static String form(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class) {
      return "a whole number between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE;
    }
    if (type == Long.class || type == long.class) {
      return "a whole number between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE;
    }
    if (Collection.class.isAssignableFrom(type)) {
      // The format's only list is apiKeys.
      return "a list of strings";
    }
    return "a mapping (key: value)";
  }

  private static String suggestion(String key, List<String> allowed) {
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

  /** Whether a value switches something off: {@code off} or {@code false} (YAML reads a bare {@code off} as false). */
  private static boolean isOff(JsonNode value) {
    return value.isBoolean() && !value.booleanValue()
        || value.isTextual() && value.textValue().trim().equalsIgnoreCase("off");
  }

  /** The value as a message quotes it. */
  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "'" + value.textValue() + "'";
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    return kind(value);
  }

  /** The value's kind only, for values that must not be quoted. */
  private static String kind(JsonNode value) {
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

  /** A duration: {@code 500ms}, {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}, or an integer of milliseconds. */
  private static final class DurationReader extends StdDeserializer<Duration> {
    DurationReader() {
      super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode value = ctxt.readTree(p);
      if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
        return Duration.ofMillis(value.longValue());
      }
      try {
        Optional<Duration> parsed = value.isTextual() ? Durations.parse(value.textValue()) : Optional.empty();
        return parsed.orElseThrow(() -> new IllegalArgumentException("bad duration " + describe(value) + "; "
            + Durations.FORMS));
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("duration " + describe(value) + " is too large", e);
      }
    }
  }

  /** The file's own formats: durations, and every enum as a choice. */
  private static SimpleModule formats() {
    SimpleDeserializers readers = new SimpleDeserializers() {
      @Override
      public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config, BeanDescription bean) {
        return new ChoiceReader(type);
      }
    };
    readers.addDeserializer(Duration.class, new DurationReader());
    SimpleModule formats = new SimpleModule("runline-config");
    formats.setDeserializers(readers);
    return formats;
  }

  /**
   * A choice: the name of one of the enum's constants, in any case and with {@code -} for
   * {@code _} ({@code lite-blocking} is {@code LITE_BLOCKING}).
   */
  private static final class ChoiceReader extends StdDeserializer<Object> {
    private final List<Enum<?>> choices;

    ChoiceReader(Class<?> type) {
      super(type);
      choices = Arrays.stream(type.getEnumConstants()).<Enum<?>>map(choice -> (Enum<?>) choice).toList();
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode value = ctxt.readTree(p);
      if (value.isTextual()) {
        String wanted = value.textValue().trim().replace('-', '_');
        for (Enum<?> choice : choices) {
          if (choice.name().equalsIgnoreCase(wanted)) {
            return choice;
          }
        }
      }
      throw new IllegalArgumentException(describe(value) + " is not one of " + choices.stream()
          .map(choice -> choice.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.joining(", ")));
    }
  }

  /**
   * An endpoint's {@code limits:}: {@code off} for every route, or a mapping from route to
   * {@code off} or its {@link RouteLimitSettings}. A value that may be a word or a mapping is
   * beyond plain binding, so this reads the shape and binds the mappings.
   */
  static final class LimitsReader extends StdDeserializer<Map<Route, RouteLimitSettings>> {
    LimitsReader() {
      super(Map.class);
    }

    @Override
    public Map<Route, RouteLimitSettings> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode limits = ctxt.readTree(p);
      Map<Route, RouteLimitSettings> byRoute = new EnumMap<>(Route.class);
      if (isOff(limits)) {
        for (Route route : Route.values()) {
          byRoute.put(route, RouteLimitSettings.OFF);
        }
        return byRoute;
      }
      if (!limits.isObject()) {
        throw new IllegalArgumentException("expected off, or a mapping from route (" + String.join(", ", ROUTES)
            + ") to its limit, was " + describe(limits));
      }
      for (Map.Entry<String, JsonNode> entry : limits.properties()) {
        Route route = Route.ofPath(entry.getKey());
        if (route == null) {
          throw UnrecognizedPropertyException.from(p, Route.class, entry.getKey(), List.copyOf(ROUTES));
        }
        JsonNode limit = entry.getValue();
        try {
          if (isOff(limit)) {
            byRoute.put(route, RouteLimitSettings.OFF);
          } else if (limit.isObject()) {
            byRoute.put(route, ctxt.readTreeAsValue(limit, RouteLimitSettings.class));
          } else if (!limit.isNull()) {
            throw new IllegalArgumentException("expected off, or a mapping with "
                + String.join(", ", keysOf(RouteLimitSettings.class)) + ", was " + describe(limit));
          }
        } catch (IOException | IllegalArgumentException e) {
          throw JsonMappingException.wrapWithPath(e, byRoute, entry.getKey());
        }
      }
      return byRoute;
    }
  }
}
