package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /cancel}: a queued job never starts; a running one is interrupted. */
class CancelRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time,
      Endpoint.builder("gated").handler(gate).workers(1).build(),
      Endpoint.builder("echo").handler(job -> job.input()).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void cancelOfAQueuedJobMeansItNeverStarts() {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String queued = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();

    JobStatus answer = engine.as(KEY).endpoint("gated").cancel(queued);
    assertThat(answer).isEqualTo(JobStatus.brief(queued, Status.CANCELLED));

    gate.open();
    String after = engine.as(KEY).endpoint("gated").run(JobRequest.of(2)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(after).status() == Status.COMPLETED);
    assertThat(gate.started(queued)).isFalse();
    assertThat(engine.as(KEY).endpoint("gated").status(queued).status()).isEqualTo(Status.CANCELLED);
    assertThat(engine.as(KEY).endpoint("gated").status(queued).delayTime()).isNull();
  }

  @Test
  void cancelOfARunningJobInterruptsItsWorker() {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));

    assertThat(engine.as(KEY).endpoint("gated").cancel(id).status()).isEqualTo(Status.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.interrupted.containsKey(id));
    assertThat(engine.as(KEY).endpoint("gated").status(id).status()).isEqualTo(Status.CANCELLED);

    String next = engine.as(KEY).endpoint("gated").run(JobRequest.of(java.util.Map.of("pass", true))).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(next).status() == Status.COMPLETED);
    assertThat(gate.interrupted).doesNotContainKey(next);
  }

  @Test
  void cancelWakesARunSyncWaiterWithTheCancelledBody() throws Exception {
    CompletableFuture<JobStatus> waiting = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(1), Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.size() == 1);
    String id = gate.starts.keySet().iterator().next();

    engine.as(KEY).endpoint("gated").cancel(id);
    assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void cancelOfATerminalJobAnswersItsUnchangedStatusBody() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("out")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("echo").status(id).status() == Status.COMPLETED);

    JobStatus answer = engine.as(KEY).endpoint("echo").cancel(id);
    assertThat(answer.status()).isEqualTo(Status.COMPLETED);
    assertThat(answer.output()).isEqualTo("out");
    assertThat(engine.as(KEY).endpoint("echo").status(id)).isEqualTo(answer);
  }

  @Test
  void cancelOfAnUnknownJobIsNotFound() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").cancel("nope")).isInstanceOf(NotFoundException.class);
  }
}
