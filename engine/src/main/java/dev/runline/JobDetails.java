package dev.runline;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything kept about one job, for a person looking at it (the dashboard's job page):
 * beyond its status body, what was submitted and when each step of its current attempt
 * happened. Read with {@link EndpointClient#details}.
 *
 * @param status its status body
 * @param input the input it was submitted with
 * @param queuedAt when its current attempt was queued (its submission, or its latest retry)
 * @param startedAt when a worker took the current attempt, or {@code null}
 * @param endedAt when the current attempt ended, or {@code null} while it is live
 * @param stream the current attempt's chunks so far, in order (a plain handler's output is
 *     its one chunk once it completed)
 * @param lowPriority whether it runs only when no normal job of the endpoint waits
 * @param executionTimeout how long an attempt may run
 * @param ttl how long it may live before it is terminal, counted from {@code queuedAt}
 * @param webhook where its terminal status body is sent, or {@code null}
 * @param webhookDeliveries each attempt to send it there, oldest first
 */
public record JobDetails(
    JobStatus status,
    Object input,
    Instant queuedAt,
    Instant startedAt,
    Instant endedAt,
    List<Object> stream,
    boolean lowPriority,
    Duration executionTimeout,
    Duration ttl,
    URI webhook,
    List<WebhookDelivery> webhookDeliveries) {

  public JobDetails {
    // A chunk may be null (a handler may emit one), which List.copyOf refuses.
    stream = Collections.unmodifiableList(new ArrayList<>(stream));
    webhookDeliveries = List.copyOf(webhookDeliveries);
  }

  /**
   * One attempt to deliver a job's webhook.
   *
   * @param attempt 1 for the first try of an ending, growing with each retry of the send
   * @param at when the answer (or the failure) came
   * @param httpStatus the receiver's HTTP status, or {@code null} when no answer came
   * @param error why no answer came, or {@code null}
   * @param delivered whether the receiver accepted it (2xx)
   */
  public record WebhookDelivery(int attempt, Instant at, Integer httpStatus, String error, boolean delivered) {}
}
