package dev.runline.server;

import dev.runline.JobListener;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.remote.RemoteWorkers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics through Micrometer: jobs ended by endpoint and status, queue depth and
 * running jobs per endpoint, delay and execution time histograms, and refused requests by
 * HTTP status. Job metrics come from a {@link JobListener}; gauges read the engine's counters.
 */
final class ServerMetrics implements JobListener {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Per endpoint, per status: found without building a key per job. */
  private final ConcurrentHashMap<String, Counter[]> ended = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> delays = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> executions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Counter> refused = new ConcurrentHashMap<>();

  /** Registers the gauges of every endpoint of {@code engine}. */
  void bind(Runline engine) {
    for (String endpoint : engine.inspect().endpoints()) {
      Gauge.builder("runline_queue_depth", engine, e -> e.inspect().health(endpoint).jobs().inQueue())
          .description("Jobs waiting IN_QUEUE").tag("endpoint", endpoint).register(registry);
      Gauge.builder("runline_jobs_in_progress", engine, e -> e.inspect().health(endpoint).jobs().inProgress())
          .description("Jobs running").tag("endpoint", endpoint).register(registry);
      Gauge.builder("runline_workers_running", engine, e -> e.inspect().health(endpoint).workers().running())
          .description("Busy workers").tag("endpoint", endpoint).register(registry);
      engine.inspect().backend(endpoint, RemoteWorkers.class).ifPresent(remote -> bindRemote(engine, endpoint, remote));
    }
    FunctionCounter.builder("runline_webhooks_delivered", engine, e -> e.inspect().webhooks().delivered())
        .description("Webhooks a receiver accepted (2xx)").register(registry);
    FunctionCounter.builder("runline_webhooks_abandoned", engine, e -> e.inspect().webhooks().abandoned())
        .description("Webhooks given up after every attempt failed").register(registry);
  }

  /** The gauges and counters of an endpoint served by remote workers. */
  private void bindRemote(Runline engine, String endpoint, RemoteWorkers remote) {
    Gauge.builder("runline_workers_idle", engine, e -> e.inspect().health(endpoint).workers().idle())
        .description("Remote workers polling or pinging without jobs").tag("endpoint", endpoint).register(registry);
    Gauge.builder("runline_workers_unhealthy", engine, e -> e.inspect().health(endpoint).workers().unhealthy())
        .description("Remote workers whose heartbeat reports them unhealthy").tag("endpoint", endpoint)
        .register(registry);
    Gauge.builder("runline_workers_throttled", engine, e -> e.inspect().health(endpoint).workers().throttled())
        .description("Remote workers whose latest take was refused for its rate").tag("endpoint", endpoint)
        .register(registry);
    FunctionCounter.builder("runline_remote_takes", remote, r -> r.stats().taken())
        .description("Jobs handed to remote workers").tag("endpoint", endpoint).register(registry);
    FunctionCounter.builder("runline_remote_results", remote, r -> r.stats().results())
        .description("Results (ends of jobs) accepted from remote workers").tag("endpoint", endpoint)
        .register(registry);
    FunctionCounter.builder("runline_remote_redeliveries", remote, r -> r.stats().redeliveries())
        .description("Jobs taken back from a lost worker and offered again").tag("endpoint", endpoint)
        .register(registry);
    FunctionCounter.builder("runline_remote_workers_lost", remote, r -> r.stats().workersLost())
        .description("Times a remote worker lost its jobs by going silent for the lease timeout")
        .tag("endpoint", endpoint).register(registry);
    FunctionCounter.builder("runline_remote_takes_throttled", remote, r -> r.stats().throttled())
        .description("Take requests refused for their rate").tag("endpoint", endpoint).register(registry);
  }

  @Override
  public void onTerminal(String endpoint, JobStatus status) {
    Counter[] byStatus = ended.computeIfAbsent(endpoint, e -> new Counter[Status.values().length]);
    int at = status.status().ordinal();
    Counter counter = byStatus[at];
    if (counter == null) {
      // Registering twice gives the same counter: the race is harmless.
      counter = Counter.builder("runline_jobs_ended").description("Jobs that reached a terminal state")
          .tag("endpoint", endpoint).tag("status", status.status().name()).register(registry);
      byStatus[at] = counter;
    }
    counter.increment();
    if (status.delayTime() != null) {
      timer(delays, "runline_job_delay", "Time jobs waited in the queue", endpoint)
          .record(Duration.ofMillis(status.delayTime()));
    }
    if (status.executionTime() != null) {
      timer(executions, "runline_job_execution", "Time jobs ran", endpoint)
          .record(Duration.ofMillis(status.executionTime()));
    }
  }

  private Timer timer(ConcurrentHashMap<String, Timer> timers, String name, String description, String endpoint) {
    return timers.computeIfAbsent(endpoint, e -> Timer.builder(name).description(description)
        .tag("endpoint", e).publishPercentileHistogram().register(registry));
  }

  /** Counts a request refused with {@code status} (401, 404, 429, 503, ...). */
  void refused(int status) {
    refused.computeIfAbsent(status, s -> Counter.builder("runline_http_refused")
        .description("Requests refused, by HTTP status").tag("status", Integer.toString(s))
        .register(registry)).increment();
  }

  String scrape() {
    return registry.scrape();
  }
}
