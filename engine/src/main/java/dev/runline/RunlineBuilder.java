package dev.runline;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.runline.spi.BackendProvider;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

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
 */
public final class RunlineBuilder {
  final List<String> apiKeys = new ArrayList<>();
  final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  final Map<String, BackendProvider> providers = new LinkedHashMap<>();
  Ticker ticker = Ticker.systemTicker();
  Scheduler scheduler;
  Executor executor = ForkJoinPool.commonPool();
  ShutdownMode shutdownMode = ShutdownMode.DRAIN;
  Duration shutdownTimeout = Duration.ofSeconds(30);
  int webhookAttempts = 3;
  Duration webhookRetryInterval = Duration.ofSeconds(10);
  Duration webhookTimeout = Duration.ofSeconds(10);
  IntakeWaitStrategy waitStrategy = IntakeWaitStrategy.PHASED;
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

  /** The time source of every timeout, ttl, retention and rate limit (default: {@link System#nanoTime}). */
  public RunlineBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /**
   * Runs every timer (execution timeouts, waits, expiry, webhook retries). Default: one
   * daemon thread owned by the engine.
   */
  public RunlineBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** Runs the store's maintenance and completes timed waits (default: the common pool). */
  public RunlineBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
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

  /** How the intake rings' consumers wait for work (default {@link IntakeWaitStrategy#PHASED}). */
  public RunlineBuilder intakeWaitStrategy(IntakeWaitStrategy strategy) {
    this.waitStrategy = Objects.requireNonNull(strategy, "intakeWaitStrategy");
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

  static ScheduledExecutorService defaultTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, RunlineEngine.threads("timer"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return timer;
  }

  private static Duration nonNegative(String what, Duration d) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + d);
    }
    return d;
  }
}
