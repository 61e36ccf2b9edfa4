package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /status-sync}: like status, but held until the job is terminal or the wait passes. */
class StatusSyncRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time, Endpoint.builder("gated").handler(gate).workers(1).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void itHoldsUntilTheJobIsTerminalAndAnswersTheFullBody() throws Exception {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of("x")).id();
    CompletableFuture<JobStatus> held = engine.as(KEY).endpoint("gated").statusSync(id, Duration.ofSeconds(30));
    assertThat(held).isNotDone();

    gate.open();
    JobStatus done = held.get(10, TimeUnit.SECONDS);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo("x");
    assertThat(done.executionTime()).isNotNull();
  }

  @Test
  void whenTheWaitPassesItAnswersTheCurrentBody() throws Exception {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of("x")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(id));
    CompletableFuture<JobStatus> held = engine.as(KEY).endpoint("gated").statusSync(id, Duration.ofSeconds(3));

    time.advance(Duration.ofSeconds(3));
    JobStatus now = held.get(10, TimeUnit.SECONDS);
    assertThat(now.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(now.workerId()).isNotNull();
  }

  @Test
  void aTerminalJobIsAnsweredAtOnce() throws Exception {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of("x")).id();
    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(id).status().isTerminal());

    CompletableFuture<JobStatus> held = engine.as(KEY).endpoint("gated").statusSync(id, Duration.ofSeconds(30));
    assertThat(held).isDone();
    assertThat(held.get().status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aZeroWaitAnswersAtOnce() {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of("x")).id();
    CompletableFuture<JobStatus> held = engine.as(KEY).endpoint("gated").statusSync(id, Duration.ZERO);
    assertThat(held).isDone();
    assertThat(held.join().id()).isEqualTo(id);
  }

  @Test
  void manyWaitersShareOneJobWithoutHoldingThreads() throws Exception {
    String id = engine.as(KEY).endpoint("gated").run(JobRequest.of("x")).id();
    int before = Thread.activeCount();
    CompletableFuture<?>[] held = new CompletableFuture<?>[300];
    for (int i = 0; i < held.length; i++) {
      held[i] = engine.as(KEY).endpoint("gated").statusSync(id, Duration.ofSeconds(60));
    }
    assertThat(Thread.activeCount()).isLessThanOrEqualTo(before + 2);

    gate.open();
    CompletableFuture.allOf(held).get(10, TimeUnit.SECONDS);
    for (CompletableFuture<?> future : held) {
      assertThat(((JobStatus) future.join()).status()).isEqualTo(Status.COMPLETED);
    }
  }
}
