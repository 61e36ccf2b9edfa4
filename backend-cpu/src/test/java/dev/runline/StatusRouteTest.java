package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /status}: the status body of each state, the ttl parameter, and who may see a job. */
class StatusRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final CountDownLatch progressShown = new CountDownLatch(1);
  private final Runline engine = Engines.start(time,
      Endpoint.builder("echo").handler(job -> job.input()).workers(1).build(),
      Endpoint.builder("gated").handler(gate).workers(1).build(),
      Endpoint.builder("fail").handler(job -> {
        throw new IllegalStateException("the model is not loaded");
      }).build(),
      Endpoint.builder("soft-fail").handler(job -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", "bad prompt");
        out.put("partial", 3);
        return out;
      }).build(),
      Endpoint.builder("progress").handler(job -> {
        job.progress(Map.of("step", 1));
        progressShown.await(30, TimeUnit.SECONDS);
        return "done";
      }).workers(1).build());

  @AfterEach
  void close() {
    gate.open();
    progressShown.countDown();
    engine.close();
  }

  private JobStatus awaitStatus(String endpoint, String id, Status status) {
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, endpoint, id).status() == status);
    return engine.status(KEY, endpoint, id);
  }

  @Test
  void aQueuedJobShowsNoDelayNoWorkerNoOutput() {
    String blocker = engine.run(KEY, "gated", JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String id = engine.run(KEY, "gated", JobRequest.of(1)).id();

    JobStatus queued = engine.status(KEY, "gated", id);
    assertThat(queued.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(queued.delayTime()).isNull();
    assertThat(queued.workerId()).isNull();
    assertThat(queued.executionTime()).isNull();
  }

  @Test
  void aRunningJobShowsItsDelayAndWorkerButNoExecutionTime() {
    time.advance(Duration.ZERO);
    String id = engine.run(KEY, "gated", JobRequest.of(1)).id();
    JobStatus running = awaitStatus("gated", id, Status.IN_PROGRESS);
    assertThat(running.delayTime()).isNotNull();
    assertThat(running.workerId()).isEqualTo("cpu-gated-0");
    assertThat(running.executionTime()).isNull();
    assertThat(running.output()).isNull();
  }

  @Test
  void delayAndExecutionTimeAreMillisecondsOfTheClock() {
    String blocker = engine.run(KEY, "gated", JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String id = engine.run(KEY, "gated", JobRequest.of(1)).id();
    time.advance(Duration.ofMillis(1500));
    gate.open();

    JobStatus done = awaitStatus("gated", id, Status.COMPLETED);
    assertThat(done.delayTime()).isEqualTo(1500L);
    assertThat(done.executionTime()).isZero();
  }

  @Test
  void aProgressUpdateShowsAsTheOutputOfARunningJob() {
    String id = engine.run(KEY, "progress", JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, "progress", id).output() != null);
    time.advance(Duration.ofMillis(250));

    JobStatus running = engine.status(KEY, "progress", id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(running.output()).isEqualTo(Map.of("step", 1));
    assertThat(running.executionTime()).isEqualTo(250L);

    progressShown.countDown();
    assertThat(awaitStatus("progress", id, Status.COMPLETED).output()).isEqualTo("done");
  }

  @Test
  void aThrowingHandlerFailsTheJobWithTheExceptionsTypeAndMessage() {
    String id = engine.run(KEY, "fail", JobRequest.of(1)).id();
    JobStatus failed = awaitStatus("fail", id, Status.FAILED);
    assertThat(failed.error()).isEqualTo("IllegalStateException: the model is not loaded");
    assertThat(failed.output()).isNull();
    assertThat(failed.executionTime()).isNotNull();
  }

  @Test
  void aMapOutputWithAnErrorKeyFailsTheJobAndKeepsTheRestAsOutput() {
    String id = engine.run(KEY, "soft-fail", JobRequest.of(1)).id();
    JobStatus failed = awaitStatus("soft-fail", id, Status.FAILED);
    assertThat(failed.error()).isEqualTo("bad prompt");
    assertThat(failed.output()).isEqualTo(Map.of("partial", 3));
  }

  @Test
  void anUnknownJobIsNotFound() {
    assertThatThrownBy(() -> engine.status(KEY, "echo", "no-such-job"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no-such-job");
  }

  @Test
  void aJobOfAnotherEndpointIsNotFoundOnThisOne() {
    String id = engine.run(KEY, "echo", JobRequest.of(1)).id();
    assertThatThrownBy(() -> engine.status(KEY, "fail", id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void anotherKeysJobIsNotFound() {
    String id = engine.run(KEY, "echo", JobRequest.of(1)).id();
    assertThatThrownBy(() -> engine.status(OTHER_KEY, "echo", id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.cancel(OTHER_KEY, "echo", id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.retry(OTHER_KEY, "echo", id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.statusSync(OTHER_KEY, "echo", id, Duration.ZERO))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.stream(OTHER_KEY, "echo", id, Duration.ZERO))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aMissingOrUnknownKeyIsUnauthorizedOnEveryRoute() {
    for (String key : new String[] {null, "", "wrong-key-123"}) {
      assertThatThrownBy(() -> engine.run(key, "echo", JobRequest.of(1))).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.status(key, "echo", "x")).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.health(key, "echo")).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.purgeQueue(key, "echo")).isInstanceOf(UnauthorizedException.class);
    }
  }

  @Test
  void theKeyIsNeverPartOfAnErrorMessage() {
    assertThatThrownBy(() -> engine.run("wrong-key-123", "echo", JobRequest.of(1)))
        .isInstanceOf(UnauthorizedException.class)
        .message().doesNotContain("wrong-key-123");
  }

  @Test
  void theTtlParameterShortensHowLongAResultIsKept() {
    String id = engine.run(KEY, "echo", JobRequest.of(1)).id();
    awaitStatus("echo", id, Status.COMPLETED);

    assertThat(engine.status(KEY, "echo", id, Duration.ofSeconds(5)).status()).isEqualTo(Status.COMPLETED);
    time.advance(Duration.ofSeconds(4));
    assertThat(engine.status(KEY, "echo", id).status()).isEqualTo(Status.COMPLETED);
    time.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> engine.status(KEY, "echo", id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void theTtlParameterNeverLengthensRetention() {
    String id = engine.run(KEY, "echo", JobRequest.of(1)).id();
    awaitStatus("echo", id, Status.COMPLETED);
    engine.status(KEY, "echo", id, Duration.ofHours(5));
    time.advance(Duration.ofMinutes(31));
    assertThatThrownBy(() -> engine.status(KEY, "echo", id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void anOpenEngineIgnoresKeysAndShowsEveryJobToEveryone() {
    try (Runline open = Runline.builder().ticker(time).scheduler(time).executor(Runnable::run)
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).build()).build()) {
      String id = open.run(null, "echo", JobRequest.of(1)).id();
      assertThat(open.status("anything", "echo", id).id()).isEqualTo(id);
    }
  }
}
