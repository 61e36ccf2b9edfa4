package dev.runline.remote;

import dev.runline.Endpoint;
import dev.runline.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code remote} endpoint's {@code backendSettings}, checked when the engine starts. Every
 * fault is an {@link IllegalArgumentException} naming the endpoint and the key
 * ({@code backendSettings.leaseTimeout}), the value, and what is allowed.
 *
 * @param leaseTimeout how long a taken job may go without a heartbeat naming it and without a
 *     result before it is taken back from its worker
 * @param maxRedeliveries how many times, over a job's life, a job taken back is offered again
 *     before it ends FAILED naming the lost worker
 * @param takeWait how long a take (or stop) request is held when there is nothing to hand out
 * @param maxBatch the largest {@code batch_size} a batch take is given
 * @param maxTakeRate take requests per second a worker may make; beyond, it is throttled (429)
 */
record RemoteSettings(Duration leaseTimeout, int maxRedeliveries, Duration takeWait, int maxBatch, int maxTakeRate) {
  static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(30);
  static final int DEFAULT_MAX_REDELIVERIES = 2;
  static final Duration DEFAULT_TAKE_WAIT = Duration.ofSeconds(20);
  static final int DEFAULT_MAX_BATCH = 16;
  static final int DEFAULT_MAX_TAKE_RATE = 200;
  /** The worker library gives up on a take after 90 s; a held take must answer well before. */
  static final Duration MAX_TAKE_WAIT = Duration.ofSeconds(80);
  static final Duration MIN_LEASE_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_LEASE_TIMEOUT = Duration.ofDays(1);

  private static final List<String> KEYS = List.of("leaseTimeout", "maxRedeliveries", "takeWait", "maxBatch",
      "maxTakeRate");

  static RemoteSettings of(Endpoint endpoint) {
    Map<String, Object> settings = endpoint.backendSettings();
    String at = "endpoint '" + endpoint.name() + "': backendSettings.";
    for (String key : settings.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(at + key + " is not a setting of backend 'remote'; its settings are "
            + String.join(", ", KEYS));
      }
    }
    Duration lease = duration(at, "leaseTimeout", settings.get("leaseTimeout"), DEFAULT_LEASE_TIMEOUT);
    if (lease.compareTo(MIN_LEASE_TIMEOUT) < 0 || lease.compareTo(MAX_LEASE_TIMEOUT) > 0) {
      throw new IllegalArgumentException(at + "leaseTimeout must be from 100ms to 1d, was " + lease.toMillis() + " ms");
    }
    Duration wait = duration(at, "takeWait", settings.get("takeWait"), DEFAULT_TAKE_WAIT);
    if (wait.compareTo(MAX_TAKE_WAIT) > 0) {
      throw new IllegalArgumentException(at + "takeWait must be at most 80s (the worker library gives up on a take "
          + "after 90 s), was " + wait.toMillis() + " ms");
    }
    return new RemoteSettings(lease,
        whole(at, "maxRedeliveries", settings.get("maxRedeliveries"), DEFAULT_MAX_REDELIVERIES, 0, 100),
        wait,
        whole(at, "maxBatch", settings.get("maxBatch"), DEFAULT_MAX_BATCH, 1, 1024),
        whole(at, "maxTakeRate", settings.get("maxTakeRate"), DEFAULT_MAX_TAKE_RATE, 1, 1_000_000));
  }

  /** A duration as the configuration file writes one: {@code 500ms}, {@code 10s}, {@code 30m}, ..., or milliseconds. */
  private static Duration duration(String at, String key, Object value, Duration otherwise) {
    if (value == null) {
      return otherwise;
    }
    if (value instanceof Duration d) {
      return d;
    }
    if (value instanceof Integer || value instanceof Long) {
      long millis = ((Number) value).longValue();
      if (millis >= 0) {
        return Duration.ofMillis(millis);
      }
    }
    if (value instanceof String text) {
      try {
        Optional<Duration> parsed = Durations.parse(text.toLowerCase(Locale.ROOT));
        if (parsed.isPresent()) {
          return parsed.get();
        }
      } catch (ArithmeticException e) {
        // Too large: refused below like any other value that is not a duration.
      }
    }
    throw new IllegalArgumentException(at + key + " must be a duration (500ms, 10s, 30m, 24h, 7d, or a whole number "
        + "of milliseconds), was '" + value + "'");
  }

  private static int whole(String at, String key, Object value, int otherwise, int min, int max) {
    if (value == null) {
      return otherwise;
    }
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
        && ((Number) value).longValue() <= max) {
      return ((Number) value).intValue();
    }
    throw new IllegalArgumentException(at + key + " must be a whole number from " + min + " to " + max + ", was '"
        + value + "'");
  }
}
