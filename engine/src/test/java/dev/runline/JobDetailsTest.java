package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.SteppingBackend;
import dev.runline.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job's details: its status body, input, timeline, stream and webhook deliveries, for its own key only. */
class JobDetailsTest {
  private final FakeTime time = new FakeTime();
  private final SteppingBackend backend = new SteppingBackend("stepped");
  private final Runline engine = Engines.builder(time).backend(backend.provider()).shutdownMode(ShutdownMode.CANCEL)
      .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped").build())
      .endpoint(Endpoint.builder("words").streamingHandler((job, sink) -> {
        sink.emit("hello");
        sink.emit("world");
      }).workers(1).build())
      .build();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void detailsShowTheInputAndATimelineOfTheAttempt() {
    EndpointClient e = engine.as(KEY).endpoint("e");
    String id = e.run(JobRequest.of(Map.of("prompt", "hi"))).id();
    JobDetails queued = e.details(id);
    time.advance(Duration.ofMillis(250));
    var attempt = backend.startNext("worker-1");
    time.advance(Duration.ofMillis(500));
    attempt.complete(Map.of("answer", 42));

    JobDetails done = e.details(id);

    assertThat(queued.status().status()).isEqualTo(Status.IN_QUEUE);
    assertThat(queued.startedAt()).isNull();
    assertThat(queued.endedAt()).isNull();
    assertThat(done.status()).isEqualTo(e.status(id));
    assertThat(done.input()).isEqualTo(Map.of("prompt", "hi"));
    assertThat(Duration.between(done.queuedAt(), done.startedAt())).isEqualTo(Duration.ofMillis(250));
    assertThat(Duration.between(done.startedAt(), done.endedAt())).isEqualTo(Duration.ofMillis(500));
    assertThat(done.stream()).as("a plain job's output is its one chunk").containsExactly(Map.of("answer", 42));
    assertThat(done.ttl()).isEqualTo(Duration.ofHours(24));
    assertThat(done.webhook()).isNull();
    assertThat(done.webhookDeliveries()).isEmpty();
  }

  @Test
  void detailsOfAStreamingJobListItsChunks() {
    EndpointClient words = engine.as(KEY).endpoint("words");
    String id = words.run(JobRequest.of("x")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> words.status(id).status() == Status.COMPLETED);

    assertThat(words.details(id).stream()).containsExactly("hello", "world");
  }

  @Test
  void detailsOfAnotherKeysJobAreNotFound() {
    String id = engine.as(KEY).endpoint("e").run(JobRequest.of(1)).id();

    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("e").details(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void detailsListEachWebhookDelivery() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.answering(attempt -> 200)) {
      EndpointClient e = engine.as(KEY).endpoint("e");
      String id = e.run(JobRequest.of("x").withWebhook(receiver.url())).id();
      backend.startNext("worker-1").complete("ok");

      await().atMost(Duration.ofSeconds(10)).until(() -> !e.details(id).webhookDeliveries().isEmpty());
      JobDetails details = e.details(id);

      assertThat(details.webhook()).isEqualTo(receiver.url());
      List<JobDetails.WebhookDelivery> deliveries = details.webhookDeliveries();
      assertThat(deliveries).hasSize(1);
      assertThat(deliveries.get(0).attempt()).isEqualTo(1);
      assertThat(deliveries.get(0).httpStatus()).isEqualTo(200);
      assertThat(deliveries.get(0).delivered()).isTrue();
    }
  }
}
