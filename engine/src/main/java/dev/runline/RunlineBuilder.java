package dev.runline;

import dev.runline.local.DirectIntake;
import dev.runline.local.LocalJobStore;
import dev.runline.local.RingIntake;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.Intake;
import dev.runline.spi.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Builds a {@link Runline}. Each setter checks its value at once and throws
 * {@link IllegalArgumentException} naming it; {@link #build()} checks what needs the whole
 * picture (at least one endpoint, each endpoint's backend present and available).
 *
 * <pre>{@code
 * Runline engine = Runline.builder()
 *     .apiKeys("secret-key")
 *     .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(4).build())
 *     .build();
 * }</pre>
 *
 * <p>The job store and the intake are seams: in this process's memory by default
 * ({@link LocalJobStore}, and jobs handed straight to each backend), or another implementation of
 * {@link JobStore} and {@link Intake} given here. Nothing above them depends on which.
 *
 * <pre>{@code
 * }</pre>
 */
public final class RunlineBuilder {
  final List<String> apiKeys = new ArrayList<>();
  final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  final Map<String, BackendProvider> providers = new LinkedHashMap<>();
  /** {@code null} until set: then the system's, or the wall clock with a shared store. */
  TimeSource time;
  Timers timers;
  Executor executor = ForkJoinPool.commonPool();
  JobStore.Factory store = LocalJobStore.factory();
  Intake.Factory intake = DirectIntake.factory();
  /** {@code null}: the route limits' buckets in this process. */
  dev.runline.spi.RateBuckets rateBuckets;
  /** The ring's wait strategy when {@link #intakeWaitStrategy} chose a ring, else {@code null}. */
  IntakeWaitStrategy waitStrategy;
  ShutdownMode shutdownMode = ShutdownMode.DRAIN;
  Duration shutdownTimeout = Duration.ofSeconds(30);
  int webhookAttempts = 3;
  Duration webhookRetryInterval = Duration.ofSeconds(10);
  Duration webhookTimeout = Duration.ofSeconds(10);
  final List<JobListener> listeners = new ArrayList<>();

  RunlineBuilder() {}

  /**
   * The API keys callers must present. With none (the default) the engine is open: keys are
   * ignored and every caller sees every job.
   */
  public RunlineBuilder apiKeys(String... keys) {
    return apiKeys(List.of(keys));
  }

  public RunlineBuilder apiKeys(List<String> keys) {
    for (String key : keys) {
      Objects.requireNonNull(key, "an API key is null");
      if (key.isBlank() || key.length() < 8) {
        throw new IllegalArgumentException("an API key must have at least 8 characters (one has "
            + key.length() + ")");
      }
      if (!apiKeys.contains(key)) {
        apiKeys.add(key);
      }
    }
    return this;
  }

  /** Registers an endpoint; names are unique. */
  public RunlineBuilder endpoint(Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoints.containsKey(endpoint.name())) {
      throw new IllegalArgumentException("endpoint '" + endpoint.name() + "' is registered twice");
    }
    endpoints.put(endpoint.name(), endpoint);
    return this;
  }

  /**
   * Adds a backend besides those found by {@link ServiceLoader}; it wins over a discovered
   * one of the same name.
   */
  public RunlineBuilder backend(BackendProvider provider) {
    Objects.requireNonNull(provider, "provider");
    providers.put(provider.name(), provider);
    return this;
  }

  /**
   * The clock of every timeout, ttl, retention and rate limit (default:
   * {@link System#nanoTime()}; with a shared job store, {@link TimeSource#wallClock()}).
   */
  public RunlineBuilder time(TimeSource time) {
    this.time = Objects.requireNonNull(time, "time");
    return this;
  }

  /**
   * Runs every timer (long polls, the execution-timeout watch, the store's expiry, webhook
   * retries). Default: one daemon thread owned by the engine.
   */
  public RunlineBuilder timers(Timers timers) {
    this.timers = Objects.requireNonNull(timers, "timers");
    return this;
  }

  /** Answers long polls whose wait ran out (default: the common pool). */
  public RunlineBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /** Where jobs are kept (default: this process's memory). */
  public RunlineBuilder jobStore(JobStore.Factory store) {
    this.store = Objects.requireNonNull(store, "jobStore");
    return this;
  }

  /**
   * How admitted jobs reach each endpoint's backend (default {@link DirectIntake}: handed
   * over on the admitting thread).
   */
  public RunlineBuilder intake(Intake.Factory intake) {
    this.intake = Objects.requireNonNull(intake, "intake");
    this.waitStrategy = null;
    return this;
  }

  /** What {@link Runline#close()} does with queued jobs (default {@link ShutdownMode#DRAIN}). */
  public RunlineBuilder shutdownMode(ShutdownMode mode) {
    this.shutdownMode = Objects.requireNonNull(mode, "shutdownMode");
    return this;
  }

  /** How long {@link Runline#close()} waits for jobs before cancelling them (default 30 s). */
  public RunlineBuilder shutdownTimeout(Duration timeout) {
    this.shutdownTimeout = nonNegative("shutdownTimeout", timeout);
    return this;
  }

  /**
   * Where the token buckets of the route limits live (default: in this process). Nodes that
   * share a job store share their buckets too, so a key's limit holds across all of them.
   */
  public RunlineBuilder rateBuckets(dev.runline.spi.RateBuckets buckets) {
    this.rateBuckets = Objects.requireNonNull(buckets, "rateBuckets");
    return this;
  }

  /** How many times a webhook is tried in all (default 3: once and 2 retries). */
  public RunlineBuilder webhookAttempts(int attempts) {
    if (attempts < 1 || attempts > 100) {
      throw new IllegalArgumentException("webhookAttempts must be between 1 and 100, was " + attempts);
    }
    this.webhookAttempts = attempts;
    return this;
  }

  /** The pause between webhook attempts (default 10 s). */
  public RunlineBuilder webhookRetryInterval(Duration interval) {
    this.webhookRetryInterval = nonNegative("webhookRetryInterval", interval);
    return this;
  }

  /** How long one webhook attempt may take (default 10 s). */
  public RunlineBuilder webhookTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "webhookTimeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("webhookTimeout must be positive, was " + timeout);
    }
    this.webhookTimeout = timeout;
    return this;
  }

  /** Adds a listener told of every job that reaches a terminal state. */
  public RunlineBuilder listener(JobListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Puts an LMAX Disruptor ring between admission and each endpoint's backend, whose
   * consumer waits for work as {@code strategy} says ({@link RingIntake}); by default jobs
   * go to the backend directly ({@link DirectIntake}).
   */
  public RunlineBuilder intakeWaitStrategy(IntakeWaitStrategy strategy) {
    intake(RingIntake.factory(Objects.requireNonNull(strategy, "intakeWaitStrategy")));
    this.waitStrategy = strategy;
    return this;
  }

  /**
   * Starts the engine.
   *
   * @throws IllegalStateException when there is no endpoint, or an endpoint's backend is
   *     missing or cannot run here (the message says which and why)
   */
  public Runline build() {
    if (endpoints.isEmpty()) {
      throw new IllegalStateException("register at least one endpoint with endpoint(...)");
    }
    Map<String, BackendProvider> available = discoverBackends();
    for (Endpoint endpoint : endpoints.values()) {
      BackendProvider provider = available.get(endpoint.backend());
      if (provider == null) {
        throw new IllegalStateException("endpoint '" + endpoint.name() + "' names backend '" + endpoint.backend()
            + "', but the backends on the class path are " + new TreeSet<>(available.keySet())
            + "; add the module that provides it (e.g. runline-backend-" + endpoint.backend() + ")");
      }
      if (!provider.isAvailable()) {
        Throwable cause = provider.unavailabilityCause();
        throw new IllegalStateException("endpoint '" + endpoint.name() + "' needs backend '" + endpoint.backend()
            + "', which cannot run here: " + (cause == null ? "no reason given" : cause.getMessage()), cause);
      }
    }
    return new RunlineEngine(this, available);
  }

  private Map<String, BackendProvider> discoverBackends() {
    Map<String, BackendProvider> all = new LinkedHashMap<>();
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class, RunlineBuilder.class.getClassLoader())) {
      all.putIfAbsent(provider.name(), provider);
    }
    all.putAll(providers);
    return all;
  }

  private static Duration nonNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + d);
    }
    return d;
  }
}
