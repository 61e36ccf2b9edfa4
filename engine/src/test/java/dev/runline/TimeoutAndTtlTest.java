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

/** The policy's execution timeout and ttl, on the engine's clock. */
class TimeoutAndTtlTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time,
      Endpoint.builder("gated").handler(gate).workers(1).build(),
      Endpoint.builder("short").handler(gate).workers(1)
          .defaultPolicy(new Policy(Duration.ofSeconds(5), Duration.ofSeconds(20), false)).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  private static JobRequest policy(Duration executionTimeout, Duration ttl) {
    return JobRequest.of(1).withPolicy(new Policy(executionTimeout, ttl, false));
  }

  @Test
  void aJobRunningPastItsExecutionTimeoutEndsTimedOutAndIsInterrupted() {
    String id = engine.as(KEY).endpoint("gated").run(policy(Duration.ofSeconds(5), null)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));

    time.advance(Duration.ofMillis(4_999));
    assertThat(engine.as(KEY).endpoint("gated").status(id).status()).isEqualTo(Status.IN_PROGRESS);
    // Running jobs are checked against their timeout every 100 ms of the engine's clock.
    time.advance(Duration.ofMillis(101));
    JobStatus timedOut = engine.as(KEY).endpoint("gated").status(id);
    assertThat(timedOut.status()).isEqualTo(Status.TIMED_OUT);
    assertThat(timedOut.error()).contains("execution timeout of 5000 ms");
    assertThat(timedOut.executionTime()).isBetween(5000L, 5100L);
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.interrupted.containsKey(id));
  }

  @Test
  void theEndpointsDefaultPolicyAppliesWhenARequestSetsNone() {
    String id = engine.as(KEY).endpoint("short").run(JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));
    time.advance(Duration.ofMillis(5100));
    assertThat(engine.as(KEY).endpoint("short").status(id).status()).isEqualTo(Status.TIMED_OUT);
  }

  @Test
  void aTimedOutJobCanBeRetried() {
    String id = engine.as(KEY).endpoint("gated").run(policy(Duration.ofSeconds(5), null)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));
    time.advance(Duration.ofMillis(5100));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.interrupted.containsKey(id));

    assertThat(engine.as(KEY).endpoint("gated").retry(id).status()).isEqualTo(Status.IN_QUEUE);
    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(id).status() == Status.COMPLETED);
    assertThat(engine.as(KEY).endpoint("gated").status(id).retries()).isEqualTo(1);
    assertThat(gate.startsOf(id)).isEqualTo(2);
  }

  @Test
  void aJobWhoseTtlPassesInTheQueueIsRemovedAndNeverStarts() throws Exception {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    CompletableFuture<JobStatus> waiter =
        engine.as(KEY).endpoint("gated").runSync(policy(null, Duration.ofSeconds(10)), Duration.ofSeconds(60));

    time.advance(Duration.ofSeconds(10).minusMillis(1));
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isEqualTo(1);
    // The store ends a live job within about a second of its ttl.
    time.advance(Duration.ofMillis(1100));
    JobStatus answer = waiter.get(10, TimeUnit.SECONDS);
    assertThat(answer.status()).isEqualTo(Status.TIMED_OUT);
    assertThat(answer.error()).contains("ttl");
    assertThatThrownBy(() -> engine.as(KEY).endpoint("gated").status(answer.id())).isInstanceOf(NotFoundException.class);
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isZero();

    gate.open();
    String after = engine.as(KEY).endpoint("gated").run(JobRequest.of(2)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(after).status() == Status.COMPLETED);
    assertThat(gate.started(answer.id())).isFalse();
  }

  @Test
  void aRunningJobWhoseTtlPassesIsInterruptedAndRemoved() {
    String id = engine.as(KEY).endpoint("gated").run(policy(Duration.ofMinutes(10), Duration.ofSeconds(10))).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));

    time.advance(Duration.ofSeconds(11));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("gated").status(id)).isInstanceOf(NotFoundException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.interrupted.containsKey(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").health().jobs().inProgress() == 0);
  }

  @Test
  void theTtlStopsCountingOnceTheJobIsTerminal() {
    String id = engine.as(KEY).endpoint("gated").run(policy(null, Duration.ofSeconds(10))).id();
    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(id).status() == Status.COMPLETED);

    time.advance(Duration.ofMinutes(29));
    assertThat(engine.as(KEY).endpoint("gated").status(id).status()).isEqualTo(Status.COMPLETED);
  }
}
