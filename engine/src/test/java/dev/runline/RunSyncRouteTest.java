package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /runsync}: queue a job and wait for it. */
class RunSyncRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time,
      Endpoint.builder("echo").handler(job -> job.input()).workers(2).build(),
      Endpoint.builder("gated").handler(gate).workers(1).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void aJobFinishingWithinTheWaitAnswersItsFullStatusBody() throws Exception {
    JobStatus done = engine.as(KEY).endpoint("echo").runSync(JobRequest.of(Map.of("prompt", "hi")), Duration.ofSeconds(90))
        .get(10, TimeUnit.SECONDS);

    assertThat(done.id()).startsWith("sync-");
    assertThat(UUID.fromString(done.id().substring(5)).version()).isEqualTo(4);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo(Map.of("prompt", "hi"));
    assertThat(done.delayTime()).isNotNull();
    assertThat(done.executionTime()).isNotNull();
  }

  @Test
  void whenTheWaitPassesItAnswersTheIdAndStateOnlyAndTheClientPolls() throws Exception {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    CompletableFuture<JobStatus> pending = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(1), Duration.ofSeconds(2));

    assertThat(pending).isNotDone();
    time.advance(Duration.ofSeconds(2));
    JobStatus answer = pending.get(10, TimeUnit.SECONDS);
    assertThat(answer.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(answer.output()).isNull();
    assertThat(answer.executionTime()).isNull();

    gate.open();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> engine.as(KEY).endpoint("gated").status(answer.id()).status() == Status.COMPLETED);
  }

  @Test
  void aRunningJobWhoseWaitPassesAnswersInProgressWithItsDelay() throws Exception {
    CompletableFuture<JobStatus> pending = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(1), Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.size() == 1);

    time.advance(Duration.ofSeconds(5));
    JobStatus answer = pending.get(10, TimeUnit.SECONDS);
    assertThat(answer.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(answer.delayTime()).isNotNull();
  }

  @Test
  void aRunSyncResultIsKeptOneMinuteAndARunResultThirtyMinutes() throws Exception {
    String sync = engine.as(KEY).endpoint("echo").runSync(JobRequest.of(1), Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS).id();
    String async = engine.as(KEY).endpoint("echo").run(JobRequest.of(2)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("echo").status(async).status().isTerminal());

    time.advance(Duration.ofSeconds(59));
    assertThat(engine.as(KEY).endpoint("echo").status(sync).status()).isEqualTo(Status.COMPLETED);
    time.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").status(sync)).isInstanceOf(NotFoundException.class);
    assertThat(engine.as(KEY).endpoint("echo").status(async).status()).isEqualTo(Status.COMPLETED);

    time.advance(Duration.ofMinutes(29));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").status(async)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aNegativeWaitIsRefused() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").runSync(JobRequest.of(1), Duration.ofMillis(-1)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("wait");
  }

  @Test
  void aRefusedRunSyncDoesNotQueueAJob() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").runSync(JobRequest.of(null), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(engine.as(KEY).endpoint("echo").health().jobs().inQueue()).isZero();
    assertThat(engine.as(KEY).endpoint("echo").health().jobs().completed()).isZero();
  }
}
