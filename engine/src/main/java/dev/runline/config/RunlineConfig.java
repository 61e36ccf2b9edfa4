package dev.runline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runline.Endpoint;
import dev.runline.IntakeWaitStrategy;
import dev.runline.InvalidRequestException;
import dev.runline.Policy;
import dev.runline.Route;
import dev.runline.RouteLimit;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.ShutdownMode;
import dev.runline.Work;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An engine described by one YAML file (the format is in the {@link dev.runline.config
 * package documentation}).
 *
 * <pre>{@code
 * HandlerRegistry handlers = HandlerRegistry.builder().handler("echo", job -> job.input()).build();
 * try (Runline engine = RunlineConfig.start(Path.of("runline.yaml"), handlers)) { ... }
 * }</pre>
 *
 * <p>{@link #load} returns a {@link RunlineBuilder} holding the file's settings, to which the
 * host may add more before {@code build()}; {@link #parse} returns this immutable
 * description, whose {@link #endpoints()} are the finished {@link Endpoint}s.
 *
 * <p>Every value is checked while reading, by the same rules as the builders' setters. Any
 * fault throws a {@link ConfigException} naming the file, the full path of the key (e.g.
 * {@code endpoints.echo.wokers}) and what is allowed there. A file that cannot be read
 * throws {@link UncheckedIOException}. Whether an endpoint's backend exists is checked by
 * {@link RunlineBuilder#build()}, since backends are found on the class path at start.
 */
public final class RunlineConfig {
  private static final List<String> TOP_KEYS = List.of("apiKeys", "shutdown", "webhook", "intake", "endpoints");
  private static final List<String> ENDPOINT_KEYS = List.of("handler", "kernel", "backend", "backendSettings", "workers",
      "queueCapacity", "returnAggregateStream", "maxOutputBytes", "retention", "policy", "limits");
  private static final List<String> LIMIT_KEYS = List.of("requests", "per", "concurrent");
  private static final List<String> ROUTES = Arrays.stream(Route.values()).map(Route::path).toList();

  // The builder sets both retentions at once and exposes no defaults; an endpoint built with
  // nothing set carries them, so a file that sets one keeps the other's default.
  private static final Endpoint DEFAULTS = Endpoint.builder("defaults").handler(job -> null).build();

  // STRICT_DUPLICATE_DETECTION: a key given twice is a mistake, not "the last one wins".
  // AUTO_CLOSE_SOURCE off: a caller's Reader or InputStream stays the caller's to close.
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .build();

  private final String source;
  private final List<String> apiKeys;
  private final ShutdownMode shutdownMode;
  private final Duration shutdownTimeout;
  private final Integer webhookAttempts;
  private final Duration webhookRetryInterval;
  private final Duration webhookTimeout;
  private final IntakeWaitStrategy intakeWaitStrategy;
  private final Map<String, Endpoint> endpoints;

  private RunlineConfig(RunlineConfig base, Map<String, Endpoint> endpoints) {
    source = base.source;
    apiKeys = base.apiKeys;
    shutdownMode = base.shutdownMode;
    shutdownTimeout = base.shutdownTimeout;
    webhookAttempts = base.webhookAttempts;
    webhookRetryInterval = base.webhookRetryInterval;
    webhookTimeout = base.webhookTimeout;
    intakeWaitStrategy = base.intakeWaitStrategy;
    this.endpoints = Collections.unmodifiableMap(endpoints);
  }

  private RunlineConfig(Section top, HandlerRegistry handlers) {
    source = top.source();
    // A scratch builder checks each engine-wide value with the builder's own rules, so the
    // file and the Java API accept and refuse exactly the same values.
    RunlineBuilder check = Runline.builder();
    apiKeys = List.copyOf(top.strings("apiKeys", key -> check.apiKeys(List.of(key))));

    Section shutdown = top.section("shutdown", List.of("mode", "timeout"));
    shutdownMode = shutdown.value("mode", Section.choice(ShutdownMode.class), check::shutdownMode);
    shutdownTimeout = shutdown.value("timeout", Section::duration, check::shutdownTimeout);

    Section webhook = top.section("webhook", List.of("attempts", "retryInterval", "timeout"));
    webhookAttempts = webhook.value("attempts", Section::integer, check::webhookAttempts);
    webhookRetryInterval = webhook.value("retryInterval", Section::duration, check::webhookRetryInterval);
    webhookTimeout = webhook.value("timeout", Section::duration, check::webhookTimeout);

    Section intake = top.section("intake", List.of("waitStrategy"));
    intakeWaitStrategy = intake.value("waitStrategy", Section.choice(IntakeWaitStrategy.class),
        check::intakeWaitStrategy);

    Section endpointSection = top.mapping("endpoints");
    Map<String, Endpoint> byName = new LinkedHashMap<>();
    for (String name : endpointSection.keys()) {
      byName.put(name, endpoint(endpointSection, name, handlers));
    }
    endpoints = Collections.unmodifiableMap(byName);
  }

  /**
   * Reads a configuration file (UTF-8).
   *
   * @throws ConfigException when the file is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when the file cannot be read
   */
  public static RunlineConfig parse(Path file, HandlerRegistry handlers) {
    Objects.requireNonNull(file, "file");
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader, file.toString(), handlers);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the configuration file " + file + ": " + e, e);
    }
  }

  /**
   * Reads a configuration from {@code reader}, which is left open.
   *
   * @param sourceName what messages call the source, e.g. the file's name
   * @throws ConfigException when the text is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when reading fails
   */
  public static RunlineConfig parse(Reader reader, String sourceName, HandlerRegistry handlers) {
    Objects.requireNonNull(reader, "reader");
    return parse(sourceName, handlers, () -> YAML.readTree(reader));
  }

  /**
   * Reads a configuration from {@code in} (its encoding is detected), which is left open.
   *
   * @param sourceName what messages call the source, e.g. the file's name
   * @throws ConfigException when the text is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when reading fails
   */
  public static RunlineConfig parse(InputStream in, String sourceName, HandlerRegistry handlers) {
    Objects.requireNonNull(in, "in");
    return parse(sourceName, handlers, () -> YAML.readTree(in));
  }

  /**
   * A builder holding the file's settings; add to it, then {@code build()}.
   *
   * @throws ConfigException when the file is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when the file cannot be read
   */
  public static RunlineBuilder load(Path file, HandlerRegistry handlers) {
    return parse(file, handlers).applyTo(Runline.builder());
  }

  /**
   * A builder holding the settings read from {@code reader}, which is left open.
   *
   * @throws ConfigException when the text is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when reading fails
   */
  public static RunlineBuilder load(Reader reader, String sourceName, HandlerRegistry handlers) {
    return parse(reader, sourceName, handlers).applyTo(Runline.builder());
  }

  /**
   * A builder holding the settings read from {@code in}, which is left open.
   *
   * @throws ConfigException when the text is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when reading fails
   */
  public static RunlineBuilder load(InputStream in, String sourceName, HandlerRegistry handlers) {
    return parse(in, sourceName, handlers).applyTo(Runline.builder());
  }

  /**
   * Starts the engine the file describes.
   *
   * @throws ConfigException when the file is not valid YAML or holds a bad key or value
   * @throws UncheckedIOException when the file cannot be read
   * @throws IllegalStateException from {@link RunlineBuilder#build()}: the file has no
   *     endpoint, or an endpoint's backend is missing or cannot run here
   */
  public static Runline start(Path file, HandlerRegistry handlers) {
    return load(file, handlers).build();
  }

  /**
   * Hands every setting of the file to {@code builder}: those the file leaves out are not
   * touched, so they keep the builder's values.
   *
   * @return {@code builder}
   * @throws IllegalArgumentException when {@code builder} already has an endpoint of the
   *     same name as one of the file's
   */
  public RunlineBuilder applyTo(RunlineBuilder builder) {
    Objects.requireNonNull(builder, "builder");
    if (!apiKeys.isEmpty()) {
      builder.apiKeys(apiKeys);
    }
    shutdownMode().ifPresent(builder::shutdownMode);
    shutdownTimeout().ifPresent(builder::shutdownTimeout);
    webhookAttempts().ifPresent(builder::webhookAttempts);
    webhookRetryInterval().ifPresent(builder::webhookRetryInterval);
    webhookTimeout().ifPresent(builder::webhookTimeout);
    intakeWaitStrategy().ifPresent(builder::intakeWaitStrategy);
    endpoints.values().forEach(builder::endpoint);
    return builder;
  }

  /** The name of what was read, as messages call it. */
  public String source() {
    return source;
  }

  /** {@code apiKeys}; empty when the file sets none (an open engine unless the host adds keys). */
  public List<String> apiKeys() {
    return apiKeys;
  }

  /** {@code shutdown.mode}, when the file sets it. */
  public Optional<ShutdownMode> shutdownMode() {
    return Optional.ofNullable(shutdownMode);
  }

  /** {@code shutdown.timeout}, when the file sets it. */
  public Optional<Duration> shutdownTimeout() {
    return Optional.ofNullable(shutdownTimeout);
  }

  /** {@code webhook.attempts}, when the file sets it. */
  public OptionalInt webhookAttempts() {
    return webhookAttempts == null ? OptionalInt.empty() : OptionalInt.of(webhookAttempts);
  }

  /** {@code webhook.retryInterval}, when the file sets it. */
  public Optional<Duration> webhookRetryInterval() {
    return Optional.ofNullable(webhookRetryInterval);
  }

  /** {@code webhook.timeout}, when the file sets it. */
  public Optional<Duration> webhookTimeout() {
    return Optional.ofNullable(webhookTimeout);
  }

  /** {@code intake.waitStrategy}, when the file sets it. */
  public Optional<IntakeWaitStrategy> intakeWaitStrategy() {
    return Optional.ofNullable(intakeWaitStrategy);
  }

  /** The file's endpoints by name, in file order. */
  public Map<String, Endpoint> endpoints() {
    return endpoints;
  }

  /**
   * This configuration with every kernel endpoint (those with {@code kernel:}) moved to
   * {@code backend}; handler endpoints stay where they are. Whether that backend exists and
   * can run here is checked when the engine is built.
   *
   * @throws IllegalArgumentException when {@code backend} is blank
   */
  public RunlineConfig withKernelBackend(String backend) {
    Objects.requireNonNull(backend, "backend");
    Map<String, Endpoint> moved = new LinkedHashMap<>();
    for (Endpoint endpoint : endpoints.values()) {
      moved.put(endpoint.name(), !(endpoint.work() instanceof Work.Kernel) ? endpoint : endpoint.toBuilder().backend(backend).build());
    }
    return new RunlineConfig(this, moved);
  }

  @Override
  public String toString() {
    // API keys are secrets: only their number is shown.
    return "RunlineConfig[" + source + ", " + apiKeys.size() + " API key(s), endpoints=" + endpoints.values() + "]";
  }

  private interface TreeRead {
    JsonNode read() throws IOException;
  }

  private static RunlineConfig parse(String sourceName, HandlerRegistry handlers, TreeRead read) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(handlers, "handlers");
    JsonNode root;
    try {
      root = read.read();
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(sourceName, "", "not valid YAML" + where + ": " + e.getOriginalMessage().strip(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sourceName + ": " + e, e);
    }
    return new RunlineConfig(Section.top(root, sourceName, TOP_KEYS), handlers);
  }

  private static Endpoint endpoint(Section endpoints, String name, HandlerRegistry handlers) {
    Section e = endpoints.section(name, ENDPOINT_KEYS);
    Endpoint.Builder endpoint = endpoints.apply(name, () -> Endpoint.builder(name));

    if (e.get("handler") != null && e.get("kernel") != null) {
      throw e.fail("kernel", "an endpoint runs either a handler or a kernel, not both; remove one of the two");
    }
    String kernel = e.value("kernel", Section::text, endpoint::kernel);
    String handler = kernel != null ? null : e.value("handler", Section::text, h -> handlers.install(h, endpoint));
    if (handler == null && kernel == null) {
      throw e.fail("handler", "missing; every endpoint needs one: "
          + (handlers.names().isEmpty() ? "" : "a registered name (" + String.join(", ", handlers.names()) + ") or ")
          + "the fully-qualified name of a handler class; or, instead, a built-in kernel: vector-search, matmul");
    }
    e.value("backend", Section::text, endpoint::backend);
    Section settings = e.mapping("backendSettings");
    for (String key : settings.keys()) {
      JsonNode value = settings.get(key);
      endpoint.backendSetting(key, value == null ? null : YAML.convertValue(value, Object.class));
    }
    e.value("workers", Section::integer, endpoint::workers);
    e.value("queueCapacity", Section::integer, endpoint::queueCapacity);
    e.value("returnAggregateStream", Section::bool, endpoint::returnAggregateStream);
    e.value("maxOutputBytes", Section::whole, endpoint::maxOutputBytes);
    retention(e.section("retention", List.of("run", "runSync")), endpoint);
    policy(e.section("policy", List.of("executionTimeout", "ttl")), endpoint);
    limits(e, endpoint);
    return endpoint.build();
  }

  private static void retention(Section retention, Endpoint.Builder endpoint) {
    Duration run = retention.value("run", Section::duration);
    Duration runSync = retention.value("runSync", Section::duration);
    if (run != null || runSync != null) {
      retention.apply(() -> endpoint.retention(
          run != null ? run : DEFAULTS.runRetention(),
          runSync != null ? runSync : DEFAULTS.runSyncRetention()));
    }
  }

  private static void policy(Section policy, Endpoint.Builder endpoint) {
    Duration executionTimeout = policy.value("executionTimeout", Section::duration);
    Duration ttl = policy.value("ttl", Section::duration);
    if (executionTimeout == null && ttl == null) {
      return;
    }
    Policy defaults = DEFAULTS.defaultPolicy();
    Policy chosen = new Policy(
        executionTimeout != null ? executionTimeout : defaults.executionTimeout(),
        ttl != null ? ttl : defaults.ttl(),
        false);
    policy.apply(() -> {
      // Policy's own check names the field ("policy.ttl must be between ..."), which the
      // section turns into the file's path; the builder would repeat the same check.
      try {
        chosen.validate();
      } catch (InvalidRequestException invalid) {
        throw new IllegalArgumentException(invalid.getMessage(), invalid);
      }
      endpoint.defaultPolicy(chosen);
    });
  }

  private static void limits(Section e, Endpoint.Builder endpoint) {
    JsonNode limits = e.get("limits");
    if (limits == null) {
      return;
    }
    if (Section.isOff(limits)) {
      endpoint.unlimited();
      return;
    }
    if (!limits.isObject()) {
      throw e.fail("limits", "expected off, or a mapping from route (" + String.join(", ", ROUTES)
          + ") to its limit, was " + Section.describe(limits));
    }
    Section routes = e.section("limits", "route", ROUTES);
    for (String path : routes.keys()) {
      Route route = Route.ofPath(path);
      JsonNode value = routes.get(path);
      if (value == null) {
        continue;
      }
      if (Section.isOff(value)) {
        endpoint.limit(route, RouteLimit.UNLIMITED);
        continue;
      }
      if (!value.isObject()) {
        throw routes.fail(path, "expected off, or a mapping with " + String.join(", ", LIMIT_KEYS)
            + ", was " + Section.describe(value));
      }
      Section limit = routes.section(path, LIMIT_KEYS);
      RouteLimit defaults = route.defaultLimit();
      Long requests = limit.value("requests", Section::whole);
      Duration per = limit.value("per", Section::duration);
      Integer concurrent = limit.value("concurrent", Section::integer);
      if (per != null && per.isZero()) {
        throw limit.fail("per", "must be positive, was " + Section.describe(limit.get("per")));
      }
      limit.apply(() -> endpoint.limit(route, RouteLimit.of(
          requests != null ? requests : defaults.requests(),
          per != null ? per : defaults.period(),
          concurrent != null ? concurrent : defaults.concurrent())));
    }
  }
}
