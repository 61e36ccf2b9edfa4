package dev.runline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.base.Suppliers;
import dev.runline.spi.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a terminal job's status body (plus its input) to its webhook, asynchronously with
 * {@link HttpClient}. A non-2xx answer or a failure is retried after an interval, up to the
 * configured number of attempts. Never blocks the caller and never changes the job.
 */
final class WebhookSender {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  private final int attempts;
  private final Duration interval;
  private final Duration timeout;
  private final Timers timers;
  /** Made at the first webhook: an HTTP client starts a selector thread, which an engine without webhooks does not need. */
  private final Supplier<HttpClient> client;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder abandoned = new LongAdder();
  private final Supplier<Instant> clock;
  /**
   * Each job's delivery attempts, for the job's details: the most recently sent
   * {@value #JOBS_KEPT} jobs, each for an hour, at most {@value #ATTEMPTS_KEPT} attempts each.
   */
  private final Cache<String, List<JobDetails.WebhookDelivery>> deliveries;
  private static final int JOBS_KEPT = 10_000;
  private static final int ATTEMPTS_KEPT = 50;
  private volatile boolean closed;

  WebhookSender(int attempts, Duration interval, Duration timeout, Timers timers, TimeSource time,
      Supplier<Instant> clock) {
    this.attempts = attempts;
    this.interval = interval;
    this.timeout = timeout;
    this.timers = timers;
    this.clock = clock;
    this.deliveries = Caffeine.newBuilder()
        .maximumSize(JOBS_KEPT)
        .expireAfterWrite(Duration.ofHours(1))
        .ticker(time::nanoTime)
        .executor(Runnable::run)
        .build();
    this.client = Suppliers.memoize(() -> HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build());
  }

  void send(URI target, JobStatus status, Object input) {
    byte[] bytes;
    try {
      bytes = Json.mapper().writeValueAsBytes(body(status, input));
    } catch (Exception e) {
      LOG.warn("webhook for job {} not sent: its body is not JSON ({})", status.id(), e.toString());
      abandoned.increment();
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(target)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
    attempt(request, status.id(), 1);
  }

  private void attempt(HttpRequest request, String jobId, int attempt) {
    if (closed) {
      abandoned.increment();
      return;
    }
    client.get().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      record(jobId, attempt, response == null ? null : response.statusCode(), error);
      if (error == null && response.statusCode() / 100 == 2) {
        delivered.increment();
        return;
      }
      String why = error != null ? error.toString() : "HTTP " + response.statusCode();
      if (attempt >= attempts || closed) {
        LOG.warn("webhook for job {} to {} abandoned after {} attempts: {}", jobId,
            request.uri().getHost(), attempt, why);
        abandoned.increment();
        return;
      }
      LOG.debug("webhook for job {} attempt {} failed: {}", jobId, attempt, why);
      timers.schedule(() -> attempt(request, jobId, attempt + 1), interval.toNanos());
    });
  }

  private void record(String jobId, int attempt, Integer status, Throwable error) {
    JobDetails.WebhookDelivery delivery = new JobDetails.WebhookDelivery(attempt, clock.get(),
        error == null ? status : null, error == null ? null : String.valueOf(error.getMessage() != null
            ? error.getMessage() : error.getClass().getSimpleName()),
        error == null && status != null && status / 100 == 2);
    deliveries.asMap().compute(jobId, (id, list) -> {
      List<JobDetails.WebhookDelivery> kept = list == null ? new ArrayList<>() : new ArrayList<>(list);
      if (kept.size() == ATTEMPTS_KEPT) {
        kept.remove(0);
      }
      kept.add(delivery);
      return List.copyOf(kept);
    });
  }

  /** The delivery attempts of job {@code jobId}'s webhook kept so far, oldest first. */
  List<JobDetails.WebhookDelivery> deliveries(String jobId) {
    List<JobDetails.WebhookDelivery> list = deliveries.getIfPresent(jobId);
    return list == null ? List.of() : list;
  }

  /** The status body as the API shows it (absent values left out), plus {@code input}. */
  static Map<String, Object> body(JobStatus status, Object input) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", status.id());
    body.put("status", status.status());
    putPresent(body, "delayTime", status.delayTime());
    putPresent(body, "executionTime", status.executionTime());
    putPresent(body, "output", status.output());
    putPresent(body, "error", status.error());
    putPresent(body, "retries", status.retries());
    putPresent(body, "workerId", status.workerId());
    body.put("input", input);
    return body;
  }

  private static void putPresent(Map<String, Object> body, String key, Object value) {
    if (value != null) {
      body.put(key, value);
    }
  }

  Inspection.Webhooks counts() {
    return new Inspection.Webhooks(delivered.sum(), abandoned.sum());
  }

  void close() {
    closed = true;
  }
}
