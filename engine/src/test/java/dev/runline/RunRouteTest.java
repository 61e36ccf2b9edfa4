package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /run}: queue a job and answer at once. */
class RunRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time,
      Endpoint.builder("echo").handler(job -> job.input()).workers(2).build(),
      Endpoint.builder("gated").handler(gate).workers(1).queueCapacity(2).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void runAnswersARandomIdAndInQueueAtOnce() {
    JobStatus first = engine.as(KEY).endpoint("gated").run(JobRequest.of(Map.of("prompt", "hi")));
    JobStatus second = engine.as(KEY).endpoint("echo").run(JobRequest.of(Map.of("prompt", "hi")));

    assertThat(first.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(UUID.fromString(first.id()).version()).isEqualTo(4);
    assertThat(first.id()).isNotEqualTo(second.id());
    assertThat(first.output()).isNull();
    assertThat(first.delayTime()).isNull();
  }

  @Test
  void aQueuedJobRunsToCompletedWithTheHandlersOutput() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(Map.of("prompt", "hi"))).id();

    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("echo").status(id).status() == Status.COMPLETED);
    JobStatus done = engine.as(KEY).endpoint("echo").status(id);
    assertThat(done.output()).isEqualTo(Map.of("prompt", "hi"));
    assertThat(done.delayTime()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(done.executionTime()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(done.workerId()).startsWith("cpu-echo-");
    assertThat(done.error()).isNull();
    assertThat(done.retries()).isNull();
  }

  @Test
  void missingInputIsRefusedWithAMessageNamingIt() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("input is required");
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(null))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void anUnknownEndpointIsNotFound() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("nope").run(JobRequest.of(1)))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  @ParameterizedTest
  @ValueSource(longs = {4_999, 604_800_001})
  void anExecutionTimeoutOutOfRangeIsRefused(long millis) {
    JobRequest request = JobRequest.of(1).withPolicy(Policy.UNSET.withExecutionTimeout(Duration.ofMillis(millis)));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("policy.executionTimeout")
        .hasMessageContaining(String.valueOf(millis));
  }

  @ParameterizedTest
  @ValueSource(longs = {9_999, 604_800_001})
  void aTtlOutOfRangeIsRefused(long millis) {
    JobRequest request = JobRequest.of(1).withPolicy(Policy.UNSET.withTtl(Duration.ofMillis(millis)));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("policy.ttl");
  }

  @Test
  void aPolicyAtItsBoundsIsAccepted() {
    JobRequest request = JobRequest.of(1).withPolicy(
        new Policy(Duration.ofSeconds(5), Duration.ofDays(7), false));
    assertThat(engine.as(KEY).endpoint("echo").run(request).status()).isEqualTo(Status.IN_QUEUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/x", "mailto:a@b.c", "relative/path"})
  void aWebhookThatIsNotHttpIsRefused(String url) {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1).withWebhook(URI.create(url))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("webhook");
  }

  @Test
  void aFullQueueRefusesAtOnceAndAcceptsNothing() {
    String running = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(running));
    engine.as(KEY).endpoint("gated").run(JobRequest.of(2));
    engine.as(KEY).endpoint("gated").run(JobRequest.of(3));

    assertThatThrownBy(() -> engine.as(KEY).endpoint("gated").run(JobRequest.of(4)))
        .isInstanceOf(QueueFullException.class)
        .hasMessageContaining("queue capacity");
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isEqualTo(2);

    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").health().jobs().completed() == 3);
    assertThat(engine.as(KEY).endpoint("gated").run(JobRequest.of(5)).status()).isEqualTo(Status.IN_QUEUE);
  }
}
