package dev.runline.config;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.runline.IntakeWaitStrategy;
import dev.runline.Route;
import dev.runline.RouteLimit;
import dev.runline.ShutdownMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A configuration file as written, bound by {@link ConfigReader}: each record is one mapping
 * of the file and its components are the keys allowed there, in the order the format
 * documents them. A value left out or empty ({@code key:} or {@code ~}) is {@code null}, so
 * the builder's default stays; a section left out or empty is read as one with nothing set.
 * The values are checked by the builders when {@link RunlineConfig} hands them over.
 */
record ConfigFile(
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> apiKeys,
    @JsonSetter(contentNulls = Nulls.FAIL) List<String> workerKeys,
    ShutdownSettings shutdown,
    WebhookSettings webhook,
    IntakeSettings intake,
    Map<String, EndpointSettings> endpoints,
    ClusterSettings cluster) {

  /** An empty document. */
  static final ConfigFile EMPTY = new ConfigFile(null, null, null, null, null, null, null);

  ConfigFile {
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    workerKeys = workerKeys == null ? List.of() : List.copyOf(workerKeys);
    shutdown = requireNonNullElse(shutdown, ShutdownSettings.EMPTY);
    webhook = requireNonNullElse(webhook, WebhookSettings.EMPTY);
    intake = requireNonNullElse(intake, IntakeSettings.EMPTY);
    endpoints = requireNonNullElse(endpoints, Map.of());
    cluster = requireNonNullElse(cluster, ClusterSettings.EMPTY);
  }

  /** {@code cluster:}: the store several nodes share ({@code redis: redis://host:6379/0}). */
  record ClusterSettings(String redis, String node, Duration leaseTimeout, Integer maxRedeliveries) {
    static final ClusterSettings EMPTY = new ClusterSettings(null, null, null, null);
  }

  /** {@code shutdown:}. */
  record ShutdownSettings(ShutdownMode mode, Duration timeout) {
    static final ShutdownSettings EMPTY = new ShutdownSettings(null, null);
  }

  /** {@code webhook:}. */
  record WebhookSettings(Integer attempts, Duration retryInterval, Duration timeout) {
    static final WebhookSettings EMPTY = new WebhookSettings(null, null, null);
  }

  /** {@code intake:}. */
  record IntakeSettings(IntakeWaitStrategy waitStrategy) {
    static final IntakeSettings EMPTY = new IntakeSettings(null);
  }

  /** One endpoint under {@code endpoints:}; its name is the key above it. */
  record EndpointSettings(
      String handler,
      String kernel,
      String backend,
      Map<String, Object> backendSettings,
      Integer workers,
      Integer queueCapacity,
      Boolean returnAggregateStream,
      Long maxOutputBytes,
      Integer recentJobs,
      RetentionSettings retention,
      PolicySettings policy,
      @JsonDeserialize(using = ConfigReader.LimitsReader.class) Map<Route, RouteLimitSettings> limits) {

    /** An endpoint written as {@code name:} alone. */
    static final EndpointSettings EMPTY =
        new EndpointSettings(null, null, null, null, null, null, null, null, null, null, null, null);

    EndpointSettings {
      backendSettings = requireNonNullElse(backendSettings, Map.of());
      retention = requireNonNullElse(retention, RetentionSettings.EMPTY);
      policy = requireNonNullElse(policy, PolicySettings.EMPTY);
      limits = requireNonNullElse(limits, Map.of());
    }
  }

  /** An endpoint's {@code retention:}. */
  record RetentionSettings(Duration run, Duration runSync) {
    static final RetentionSettings EMPTY = new RetentionSettings(null, null);
  }

  /** An endpoint's {@code policy:}. */
  record PolicySettings(Duration executionTimeout, Duration ttl) {
    static final PolicySettings EMPTY = new PolicySettings(null, null);
  }

  /** One route under an endpoint's {@code limits:}; a field left out keeps the route's default. */
  record RouteLimitSettings(Long requests, Duration per, Integer concurrent) {
    /** {@code off}: the limit that never refuses. */
    static final RouteLimitSettings OFF = new RouteLimitSettings(
        RouteLimit.UNLIMITED.requests(), RouteLimit.UNLIMITED.period(), RouteLimit.UNLIMITED.concurrent());
  }
}
