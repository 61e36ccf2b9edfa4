package dev.runline.config;

import static dev.runline.config.ConfigReader.pathOf;
import static java.util.Objects.requireNonNullElse;

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
import dev.runline.config.ConfigFile.EndpointSettings;
import dev.runline.config.ConfigFile.PolicySettings;
import dev.runline.config.ConfigFile.RetentionSettings;
import dev.runline.config.ConfigFile.RouteLimitSettings;
import dev.runline.spi.SharedStoreProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
  // The builder sets both retentions at once and exposes no defaults; an endpoint built with
  // nothing set carries them, so a file that sets one keeps the other's default.
  private static final Endpoint DEFAULTS = Endpoint.builder("defaults").handler(job -> null).build();
  /** The backend whose endpoints name no handler or kernel: their workers are processes elsewhere. */
  private static final String REMOTE = "remote";

  private final String source;
  private final ConfigFile file;
  private final Map<String, Endpoint> endpoints;

  private RunlineConfig(String source, ConfigFile file, Map<String, Endpoint> endpoints) {
    this.source = source;
    this.file = file;
    this.endpoints = Collections.unmodifiableMap(endpoints);
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
    return parse(sourceName, handlers, yaml -> yaml.readTree(reader));
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
    return parse(sourceName, handlers, yaml -> yaml.readTree(in));
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
    if (!apiKeys().isEmpty()) {
      builder.apiKeys(apiKeys());
    }
    shutdownMode().ifPresent(builder::shutdownMode);
    shutdownTimeout().ifPresent(builder::shutdownTimeout);
    webhookAttempts().ifPresent(builder::webhookAttempts);
    webhookRetryInterval().ifPresent(builder::webhookRetryInterval);
    webhookTimeout().ifPresent(builder::webhookTimeout);
    intakeWaitStrategy().ifPresent(builder::intakeWaitStrategy);
    endpoints.values().forEach(builder::endpoint);
    cluster().ifPresent(redis -> joinCluster(builder, redis));
    return builder;
  }

  /** {@code cluster.redis}: the Redis the nodes share, when the file sets one. */
  public Optional<String> cluster() {
    return Optional.ofNullable(file.cluster().redis());
  }

  private void joinCluster(RunlineBuilder builder, String uri) {
    ConfigFile.ClusterSettings cluster = file.cluster();
    String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://")) : "";
    SharedStoreProvider provider = ServiceLoader.load(SharedStoreProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.serves(scheme))
        .findFirst()
        .orElseThrow(() -> new ConfigException(source, "cluster.redis", "cluster.redis: no module on the class path"
            + " serves '" + scheme + "' stores; add runline-redis to run several nodes on Redis", null));
    try {
      provider.join(builder, uri, cluster.node(), cluster.leaseTimeout(), cluster.maxRedeliveries());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source, "cluster", "cluster: " + e.getMessage(), e);
    }
  }

  /** The name of what was read, as messages call it. */
  public String source() {
    return source;
  }

  /** {@code apiKeys}; empty when the file sets none (an open engine unless the host adds keys). */
  public List<String> apiKeys() {
    return file.apiKeys();
  }

  /**
   * {@code workerKeys}: the keys the worker processes of {@code remote} endpoints send; empty
   * when the file sets none. The engine does not use them: the HTTP server that serves the
   * workers' routes checks them.
   */
  public List<String> workerKeys() {
    return file.workerKeys();
  }

  /** {@code shutdown.mode}, when the file sets it. */
  public Optional<ShutdownMode> shutdownMode() {
    return Optional.ofNullable(file.shutdown().mode());
  }

  /** {@code shutdown.timeout}, when the file sets it. */
  public Optional<Duration> shutdownTimeout() {
    return Optional.ofNullable(file.shutdown().timeout());
  }

  /** {@code webhook.attempts}, when the file sets it. */
  public OptionalInt webhookAttempts() {
    Integer attempts = file.webhook().attempts();
    return attempts == null ? OptionalInt.empty() : OptionalInt.of(attempts);
  }

  /** {@code webhook.retryInterval}, when the file sets it. */
  public Optional<Duration> webhookRetryInterval() {
    return Optional.ofNullable(file.webhook().retryInterval());
  }

  /** {@code webhook.timeout}, when the file sets it. */
  public Optional<Duration> webhookTimeout() {
    return Optional.ofNullable(file.webhook().timeout());
  }

  /** {@code intake.waitStrategy}, when the file sets it. */
  public Optional<IntakeWaitStrategy> intakeWaitStrategy() {
    return Optional.ofNullable(file.intake().waitStrategy());
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
    return new RunlineConfig(source, file, moved);
  }

  /**
   * This configuration with its {@code cluster:} store at {@code redis} (when not {@code null})
   * and this node named {@code node} (when not {@code null}): what a command line's flags set
   * over the file's.
   */
  public RunlineConfig withCluster(String redis, String node) {
    ConfigFile.ClusterSettings c = file.cluster();
    ConfigFile.ClusterSettings changed = new ConfigFile.ClusterSettings(redis != null ? redis : c.redis(),
        node != null ? node : c.node(), c.leaseTimeout(), c.maxRedeliveries());
    ConfigFile withCluster = new ConfigFile(file.apiKeys(), file.workerKeys(), file.shutdown(), file.webhook(), file.intake(),
        file.endpoints(), changed);
    return new RunlineConfig(source, withCluster, endpoints);
  }

  @Override
  public String toString() {
    // API keys are secrets: only their number is shown.
    return "RunlineConfig[" + source + ", " + apiKeys().size() + " API key(s), " + workerKeys().size()
        + " worker key(s), endpoints=" + endpoints.values() + "]";
  }

  private static RunlineConfig parse(String sourceName, HandlerRegistry handlers, ConfigReader.TreeSource text) {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(handlers, "handlers");
    return new Assembler(sourceName, handlers).config(ConfigReader.read(sourceName, text));
  }

  /**
   * Hands a file's values to the builders, so the file and the Java API accept and refuse
   * exactly the same values; a refusal becomes a fault at the key's path.
   */
  private record Assembler(String source, HandlerRegistry handlers) {
    RunlineConfig config(ConfigFile file) {
      // A scratch builder checks the engine-wide values; applyTo hands them to the real one.
      RunlineBuilder engine = Runline.builder();
      List<String> apiKeys = file.apiKeys();
      for (int i = 0; i < apiKeys.size(); i++) {
        String key = apiKeys.get(i);
        // By index: the builder's message never quotes a key, and neither may the path.
        check("apiKeys[" + i + "]", List.of(), () -> engine.apiKeys(List.of(key)));
      }
      List<String> workerKeys = file.workerKeys();
      for (int i = 0; i < workerKeys.size(); i++) {
        String key = workerKeys.get(i);
        // Checked by the same rule as API keys, and never quoted.
        check("workerKeys[" + i + "]", List.of(), () -> Runline.builder().apiKeys(List.of(key)));
        if (apiKeys.contains(key)) {
          throw fault("workerKeys[" + i + "]", "is also one of apiKeys; a worker key must differ from every client "
              + "key, so that a client cannot take jobs and a worker cannot call the client routes");
        }
      }
      set("shutdown", "mode", file.shutdown().mode(), engine::shutdownMode);
      set("shutdown", "timeout", file.shutdown().timeout(), engine::shutdownTimeout);
      set("webhook", "attempts", file.webhook().attempts(), engine::webhookAttempts);
      set("webhook", "retryInterval", file.webhook().retryInterval(), engine::webhookRetryInterval);
      set("webhook", "timeout", file.webhook().timeout(), engine::webhookTimeout);
      set("intake", "waitStrategy", file.intake().waitStrategy(), engine::intakeWaitStrategy);

      Map<String, Endpoint> endpoints = new LinkedHashMap<>();
      file.endpoints().forEach((name, settings) ->
          endpoints.put(name, endpoint(name, requireNonNullElse(settings, EndpointSettings.EMPTY))));
      return new RunlineConfig(source, file, endpoints);
    }

    private Endpoint endpoint(String name, EndpointSettings settings) {
      String at = pathOf("endpoints", name);
      Endpoint.Builder endpoint = check(at, List.of(), () -> Endpoint.builder(name));
      if (settings.handler() != null && settings.kernel() != null) {
        throw fault(pathOf(at, "kernel"), "an endpoint runs either a handler or a kernel, not both; remove one of the two");
      }
      boolean remote = REMOTE.equals(settings.backend());
      if (remote && (settings.handler() != null || settings.kernel() != null)) {
        throw fault(pathOf(at, settings.handler() != null ? "handler" : "kernel"), "an endpoint on backend remote "
            + "runs no code of its own: its worker processes are its code; remove this key");
      }
      if (settings.handler() == null && settings.kernel() == null && !remote) {
        throw fault(pathOf(at, "handler"), "missing; every endpoint needs one: "
            + (handlers.names().isEmpty() ? "" : "a registered name (" + String.join(", ", handlers.names()) + ") or ")
            + "the fully-qualified name of a handler class; or, instead, a built-in kernel: vector-search, matmul; "
            + "or backend: remote, for worker processes that take its jobs over HTTP");
      }
      if (remote) {
        endpoint.external();
      }
      set(at, "kernel", settings.kernel(), endpoint::kernel);
      set(at, "handler", settings.handler(), handler -> handlers.install(handler, endpoint));
      set(at, "backend", settings.backend(), endpoint::backend);
      settings.backendSettings().forEach(endpoint::backendSetting);
      set(at, "workers", settings.workers(), endpoint::workers);
      set(at, "queueCapacity", settings.queueCapacity(), endpoint::queueCapacity);
      set(at, "returnAggregateStream", settings.returnAggregateStream(), endpoint::returnAggregateStream);
      set(at, "maxOutputBytes", settings.maxOutputBytes(), endpoint::maxOutputBytes);
      set(at, "recentJobs", settings.recentJobs(), endpoint::recentJobs);
      retention(pathOf(at, "retention"), settings.retention(), endpoint);
      policy(pathOf(at, "policy"), settings.policy(), endpoint);
      settings.limits().forEach((route, limit) -> limit(pathOf(pathOf(at, "limits"), route.path()), route, limit, endpoint));
      return endpoint.build();
    }

    private void retention(String at, RetentionSettings retention, Endpoint.Builder endpoint) {
      if (retention.run() == null && retention.runSync() == null) {
        return;
      }
      check(at, List.of("run", "runSync"), () -> endpoint.retention(
          requireNonNullElse(retention.run(), DEFAULTS.runRetention()),
          requireNonNullElse(retention.runSync(), DEFAULTS.runSyncRetention())));
    }

    private void policy(String at, PolicySettings policy, Endpoint.Builder endpoint) {
      if (policy.executionTimeout() == null && policy.ttl() == null) {
        return;
      }
      Policy defaults = DEFAULTS.defaultPolicy();
      Policy chosen = new Policy(
          requireNonNullElse(policy.executionTimeout(), defaults.executionTimeout()),
          requireNonNullElse(policy.ttl(), defaults.ttl()),
          false);
      check(at, List.of("executionTimeout", "ttl"), () -> {
        // Policy's own check names the key ("policy.ttl must be between ..."); the builder
        // repeats it in words that name no key ("default policy.ttl ...").
        chosen.validate();
        return endpoint.defaultPolicy(chosen);
      });
    }

    private void limit(String at, Route route, RouteLimitSettings limit, Endpoint.Builder endpoint) {
      RouteLimit defaults = route.defaultLimit();
      Duration per = requireNonNullElse(limit.per(), defaults.period());
      check(at, List.of("requests", "per", "concurrent"), () -> {
        // RouteLimit refuses it as "period", which is no key of the file.
        if (per.isZero() || per.isNegative()) {
          throw new IllegalArgumentException("per must be positive, was " + per);
        }
        return endpoint.limit(route, RouteLimit.of(
            requireNonNullElse(limit.requests(), defaults.requests()),
            per,
            requireNonNullElse(limit.concurrent(), defaults.concurrent())));
      });
    }

    /** Hands {@code value}, when the file sets it, to a builder's checking setter. */
    private <T> void set(String at, String key, T value, Consumer<? super T> setter) {
      if (value != null) {
        check(at, List.of(key), () -> {
          setter.accept(value);
          return value;
        });
      }
    }

    /**
     * Runs a builder call that checks the values of {@code keys} under {@code at}. The
     * builders' messages open with the name of the setting they refuse ("workers must be
     * ...", "retention.run must be ...", "webhookAttempts must be ..."); the key that name
     * ends with replaces it, so the message speaks of the file's key at its full path. A
     * message naming no key is put after the one key, or after {@code at} when there are
     * several or none.
     */
    private <T> T check(String at, List<String> keys, Supplier<T> call) {
      try {
        return call.get();
      } catch (IllegalArgumentException | InvalidRequestException e) {
        String message = String.valueOf(e.getMessage());
        int space = message.indexOf(' ');
        String lead = space < 0 ? message : message.substring(0, space);
        String name = lead.substring(lead.lastIndexOf('.') + 1);
        for (String key : keys) {
          if (name.equals(key) || name.endsWith(Character.toUpperCase(key.charAt(0)) + key.substring(1))) {
            String path = pathOf(at, key);
            throw new ConfigException(source, path, path + message.substring(lead.length()), e);
          }
        }
        String path = keys.size() == 1 ? pathOf(at, keys.get(0)) : at;
        throw new ConfigException(source, path, path + ": " + message, e);
      }
    }

    private ConfigException fault(String path, String problem) {
      return new ConfigException(source, path, path + ": " + problem, null);
    }
  }
}
