package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import dev.runline.testing.RecordingTimers;
import dev.runline.testing.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks: a terminal job's status body plus its input is POSTed to the job's webhook; a
 * failed delivery is retried {@code webhookAttempts} times in all, {@code webhookRetryInterval}
 * (of engine time) apart; delivery never blocks a worker nor changes the job.
 *
 * <p>Deliveries are real HTTP to a receiver on 127.0.0.1, so they are awaited with a bound;
 * the retry interval passes only through {@link FakeTime#advance}.
 */
class WebhookTest {
  private static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);
  private static final Duration DELIVERY = Duration.ofSeconds(10);

  private final FakeTime time = new FakeTime();
  /** Counts the timers of the default retry interval, i.e. the webhook retries armed. */
  private final RecordingTimers timers = new RecordingTimers(time, RETRY_INTERVAL);
  private final Gate gate = new Gate();
  private final Runline engine = Engines.builder(time)
      .timers(timers)
      .endpoint(Endpoint.builder("echo").handler(job -> Map.of("echo", job.input())).workers(1).build())
      .endpoint(Endpoint.builder("fail").handler(job -> {
        throw new IllegalStateException("the model is not loaded");
      }).workers(1).build())
      .endpoint(Endpoint.builder("gated").handler(gate).workers(1).build())
      .build();
  private WebhookReceiver receiver;

  @AfterEach
  void close() {
    gate.open();
    engine.close();
    if (receiver != null) {
      receiver.close();
    }
  }

  private JobStatus awaitStatus(String endpoint, String id, Status status) {
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint(endpoint).status(id).status() == status);
    return engine.as(KEY).endpoint(endpoint).status(id);
  }

  private void awaitDeliveries(int n) {
    await().atMost(DELIVERY).until(() -> receiver.count() >= n);
  }

  /** Waits until the engine armed its {@code n}th retry timer, then lets the interval pass. */
  private void letRetryIntervalPass(int n) {
    await().atMost(DELIVERY).until(() -> timers.watchedTimers() >= n);
    time.advance(RETRY_INTERVAL);
  }

  @Test
  void aCompletedJobPostsItsStatusBodyAndInputAsJson() throws IOException {
    receiver = WebhookReceiver.accepting();
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(Map.of("prompt", "hi")).withWebhook(receiver.url())).id();

    awaitDeliveries(1);
    WebhookReceiver.Delivery delivery = receiver.delivery(0);
    assertThat(delivery.method()).isEqualTo("POST");
    assertThat(delivery.contentType()).startsWith("application/json");
    Map<String, Object> body = delivery.body();
    assertThat(body).containsEntry("id", id)
        .containsEntry("status", "COMPLETED")
        .containsEntry("output", Map.of("echo", Map.of("prompt", "hi")))
        .containsEntry("input", Map.of("prompt", "hi"))
        .containsEntry("workerId", "cpu-echo-0")
        .containsKeys("delayTime", "executionTime")
        .doesNotContainKey("error");
    assertThat(engine.as(KEY).endpoint("echo").status(id).status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aFailedJobPostsItsStatusWithTheError() throws IOException {
    receiver = WebhookReceiver.accepting();
    String id = engine.as(KEY).endpoint("fail").run(JobRequest.of(Map.of("prompt", "hi")).withWebhook(receiver.url())).id();

    awaitDeliveries(1);
    assertThat(receiver.delivery(0).body()).containsEntry("id", id)
        .containsEntry("status", "FAILED")
        .containsEntry("error", "IllegalStateException: the model is not loaded")
        .containsEntry("input", Map.of("prompt", "hi"))
        .doesNotContainKey("output");
  }

  @Test
  void aCancelledJobPostsItsStatusToo() throws IOException {
    receiver = WebhookReceiver.accepting();
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(Map.of("n", 1)).withWebhook(receiver.url())).id();

    engine.as(KEY).endpoint("gated").cancel(id);

    awaitDeliveries(1);
    assertThat(receiver.delivery(0).body()).containsEntry("id", id)
        .containsEntry("status", "CANCELLED")
        .containsEntry("input", Map.of("n", 1));
    assertThat(gate.started(id)).isFalse();
  }

  @Test
  void aReceiverAnswering500TwiceGetsExactlyThreeAttemptsTenSecondsApart() throws IOException {
    receiver = WebhookReceiver.answering(attempt -> attempt <= 2 ? 500 : 200);
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(Map.of("prompt", "hi")).withWebhook(receiver.url())).id();
    awaitDeliveries(1);

    await().atMost(DELIVERY).until(() -> timers.watchedTimers() >= 1);
    time.advance(RETRY_INTERVAL.minusMillis(1));
    assertThat(receiver.count()).as("no retry before the interval passed").isEqualTo(1);
    time.advance(Duration.ofMillis(1));
    awaitDeliveries(2);
    assertThat(engine.as(KEY).endpoint("echo").status(id).status()).isEqualTo(Status.COMPLETED);

    letRetryIntervalPass(2);
    awaitDeliveries(3);

    // The third attempt was accepted: nothing further is armed or sent, however long we wait.
    time.advance(Duration.ofMinutes(5));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> receiver.count() == 3 && timers.watchedTimers() == 2);
    assertThat(receiver.deliveries).allSatisfy(d -> assertThat(d.body())
        .containsEntry("id", id)
        .containsEntry("status", "COMPLETED")
        .containsEntry("output", Map.of("echo", Map.of("prompt", "hi")))
        .containsEntry("input", Map.of("prompt", "hi")));
    JobStatus status = engine.as(KEY).endpoint("echo").status(id);
    assertThat(status.status()).isEqualTo(Status.COMPLETED);
    assertThat(status.output()).isEqualTo(Map.of("echo", Map.of("prompt", "hi")));
  }

  @Test
  void aReceiverThatNeverAcceptsIsGivenUpAfterThreeAttemptsAndTheJobKeepsItsResult() throws IOException {
    receiver = WebhookReceiver.answering(attempt -> 500);
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("x").withWebhook(receiver.url())).id();
    awaitDeliveries(1);
    letRetryIntervalPass(1);
    awaitDeliveries(2);
    letRetryIntervalPass(2);
    awaitDeliveries(3);

    time.advance(Duration.ofMinutes(5));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> receiver.count() == 3 && timers.watchedTimers() == 2);
    JobStatus status = engine.as(KEY).endpoint("echo").status(id);
    assertThat(status.status()).isEqualTo(Status.COMPLETED);
    assertThat(status.output()).isEqualTo(Map.of("echo", "x"));
    assertThat(status.error()).isNull();
  }

  @Test
  void aReceiverThatIsDownNeverChangesTheJobNorBlocksTheWorker() throws IOException {
    URI down = WebhookReceiver.down();
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("first").withWebhook(down)).id();
    JobStatus done = awaitStatus("echo", id, Status.COMPLETED);

    String next = engine.as(KEY).endpoint("echo").run(JobRequest.of("second")).id();
    assertThat(awaitStatus("echo", next, Status.COMPLETED).output()).isEqualTo(Map.of("echo", "second"));

    letRetryIntervalPass(1);
    letRetryIntervalPass(2);
    assertThat(engine.as(KEY).endpoint("echo").status(id)).isEqualTo(done);
    Health health = engine.as(KEY).endpoint("echo").health();
    assertThat(health.jobs().completed()).isEqualTo(2);
    assertThat(health.jobs().failed()).isZero();
  }

  @Test
  void aReceiverThatHangsDoesNotBlockTheWorker() throws IOException {
    receiver = WebhookReceiver.hanging();
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("first").withWebhook(receiver.url())).id();
    awaitDeliveries(1);

    // The only worker is free for the next job while the first webhook still waits for an answer.
    String next = engine.as(KEY).endpoint("echo").run(JobRequest.of("second")).id();
    awaitStatus("echo", next, Status.COMPLETED);
    assertThat(engine.as(KEY).endpoint("echo").status(id).status()).isEqualTo(Status.COMPLETED);
    receiver.release();
  }
}
