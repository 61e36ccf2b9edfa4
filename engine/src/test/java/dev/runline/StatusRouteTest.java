package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import dev.runline.testing.ThreadsBackend;
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
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint(endpoint).status(id).status() == status);
    return engine.as(KEY).endpoint(endpoint).status(id);
  }

  @Test
  void aQueuedJobShowsNoDelayNoWorkerNoOutput() {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();

    JobStatus queued = engine.as(KEY).endpoint("gated").status(id);
    assertThat(queued.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(queued.delayTime()).isNull();
    assertThat(queued.workerId()).isNull();
    assertThat(queued.executionTime()).isNull();
  }

  @Test
  void aRunningJobShowsItsDelayAndWorkerButNoExecutionTime() {
    time.advance(Duration.ZERO);
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();
    JobStatus running = awaitStatus("gated", id, Status.IN_PROGRESS);
    assertThat(running.delayTime()).isNotNull();
    assertThat(running.workerId()).isEqualTo("cpu-gated-0");
    assertThat(running.executionTime()).isNull();
    assertThat(running.output()).isNull();
  }

  @Test
  void delayAndExecutionTimeAreMillisecondsOfTheClock() {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();
    time.advance(Duration.ofMillis(1500));
    gate.open();

    JobStatus done = awaitStatus("gated", id, Status.COMPLETED);
    assertThat(done.delayTime()).isEqualTo(1500L);
    assertThat(done.executionTime()).isZero();
  }

  @Test
  void aProgressUpdateShowsAsTheOutputOfARunningJob() {
    String id = engine.as(KEY).endpoint("progress").run(JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("progress").status(id).output() != null);
    time.advance(Duration.ofMillis(250));

    JobStatus running = engine.as(KEY).endpoint("progress").status(id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(running.output()).isEqualTo(Map.of("step", 1));
    assertThat(running.executionTime()).isEqualTo(250L);

    progressShown.countDown();
    assertThat(awaitStatus("progress", id, Status.COMPLETED).output()).isEqualTo("done");
  }

  @Test
  void aThrowingHandlerFailsTheJobWithTheExceptionsTypeAndMessage() {
    String id = engine.as(KEY).endpoint("fail").run(JobRequest.of(1)).id();
    JobStatus failed = awaitStatus("fail", id, Status.FAILED);
    assertThat(failed.error()).isEqualTo("IllegalStateException: the model is not loaded");
    assertThat(failed.output()).isNull();
    assertThat(failed.executionTime()).isNotNull();
  }

  @Test
  void aMapOutputWithAnErrorKeyFailsTheJobAndKeepsTheRestAsOutput() {
    String id = engine.as(KEY).endpoint("soft-fail").run(JobRequest.of(1)).id();
    JobStatus failed = awaitStatus("soft-fail", id, Status.FAILED);
    assertThat(failed.error()).isEqualTo("bad prompt");
    assertThat(failed.output()).isEqualTo(Map.of("partial", 3));
  }

  @Test
  void anUnknownJobIsNotFound() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").status("no-such-job"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no-such-job");
  }

  @Test
  void aJobOfAnotherEndpointIsNotFoundOnThisOne() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(1)).id();
    assertThatThrownBy(() -> engine.as(KEY).endpoint("fail").status(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void anotherKeysJobIsNotFound() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(1)).id();
    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("echo").status(id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("echo").cancel(id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("echo").retry(id)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("echo").statusSync(id, Duration.ZERO))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> engine.as(OTHER_KEY).endpoint("echo").stream(id, Duration.ZERO))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aMissingOrUnknownKeyIsUnauthorizedOnEveryRoute() {
    for (String key : new String[] {null, "", "wrong-key-123"}) {
      assertThatThrownBy(() -> engine.as(key).endpoint("echo").run(JobRequest.of(1))).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.as(key).endpoint("echo").status("x")).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.as(key).endpoint("echo").health()).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> engine.as(key).endpoint("echo").purgeQueue()).isInstanceOf(UnauthorizedException.class);
    }
  }

  @Test
  void theKeyIsNeverPartOfAnErrorMessage() {
    assertThatThrownBy(() -> engine.as("wrong-key-123").endpoint("echo").run(JobRequest.of(1)))
        .isInstanceOf(UnauthorizedException.class)
        .message().doesNotContain("wrong-key-123");
  }

  @Test
  void theTtlParameterShortensHowLongAResultIsKept() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(1)).id();
    awaitStatus("echo", id, Status.COMPLETED);

    assertThat(engine.as(KEY).endpoint("echo").status(id, Duration.ofSeconds(5)).status()).isEqualTo(Status.COMPLETED);
    time.advance(Duration.ofSeconds(4));
    assertThat(engine.as(KEY).endpoint("echo").status(id).status()).isEqualTo(Status.COMPLETED);
    time.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").status(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void theTtlParameterNeverLengthensRetention() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(1)).id();
    awaitStatus("echo", id, Status.COMPLETED);
    engine.as(KEY).endpoint("echo").status(id, Duration.ofHours(5));
    time.advance(Duration.ofMinutes(31));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").status(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void anOpenEngineIgnoresKeysAndShowsEveryJobToEveryone() {
    try (Runline open = Runline.builder().time(time).timers(time).backend(ThreadsBackend.provider()).executor(Runnable::run)
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).build()).build()) {
      String id = open.as(null).endpoint("echo").run(JobRequest.of(1)).id();
      assertThat(open.as("anything").endpoint("echo").status(id).id()).isEqualTo(id);
    }
  }
}
