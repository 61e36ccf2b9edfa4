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
    String blocker = engine.run(KEY, "gated", JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String queued = engine.run(KEY, "gated", JobRequest.of(1)).id();

    JobStatus answer = engine.cancel(KEY, "gated", queued);
    assertThat(answer).isEqualTo(JobStatus.brief(queued, Status.CANCELLED));

    gate.open();
    String after = engine.run(KEY, "gated", JobRequest.of(2)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, "gated", after).status() == Status.COMPLETED);
    assertThat(gate.started(queued)).isFalse();
    assertThat(engine.status(KEY, "gated", queued).status()).isEqualTo(Status.CANCELLED);
    assertThat(engine.status(KEY, "gated", queued).delayTime()).isNull();
  }

  @Test
  void cancelOfARunningJobInterruptsItsWorker() {
    String id = engine.run(KEY, "gated", JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));

    assertThat(engine.cancel(KEY, "gated", id).status()).isEqualTo(Status.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.interrupted.containsKey(id));
    assertThat(engine.status(KEY, "gated", id).status()).isEqualTo(Status.CANCELLED);

    String next = engine.run(KEY, "gated", JobRequest.of(java.util.Map.of("pass", true))).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, "gated", next).status() == Status.COMPLETED);
    assertThat(gate.interrupted).doesNotContainKey(next);
  }

  @Test
  void cancelWakesARunSyncWaiterWithTheCancelledBody() throws Exception {
    CompletableFuture<JobStatus> waiting = engine.runSync(KEY, "gated", JobRequest.of(1), Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.size() == 1);
    String id = gate.starts.keySet().iterator().next();

    engine.cancel(KEY, "gated", id);
    assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void cancelOfATerminalJobAnswersItsUnchangedStatusBody() {
    String id = engine.run(KEY, "echo", JobRequest.of("out")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, "echo", id).status() == Status.COMPLETED);

    JobStatus answer = engine.cancel(KEY, "echo", id);
    assertThat(answer.status()).isEqualTo(Status.COMPLETED);
    assertThat(answer.output()).isEqualTo("out");
    assertThat(engine.status(KEY, "echo", id)).isEqualTo(answer);
  }

  @Test
  void cancelOfAnUnknownJobIsNotFound() {
    assertThatThrownBy(() -> engine.cancel(KEY, "echo", "nope")).isInstanceOf(NotFoundException.class);
  }
}
