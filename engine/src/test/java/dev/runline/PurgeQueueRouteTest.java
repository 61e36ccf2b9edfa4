package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /purge-queue}: every queued job goes; running ones keep running. */
class PurgeQueueRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time, Endpoint.builder("gated").handler(gate).workers(1).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void purgeRemovesEveryQueuedJobAndLeavesTheRunningOne() {
    String running = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(running));
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(engine.as(KEY).endpoint("gated").run(JobRequest.of(i)).id());
    }

    assertThat(engine.as(KEY).endpoint("gated").purgeQueue()).isEqualTo(new PurgeResult(5, "completed"));
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isZero();
    assertThat(engine.as(KEY).endpoint("gated").status(running).status()).isEqualTo(Status.IN_PROGRESS);

    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").status(running).status() == Status.COMPLETED);
    for (String id : queued) {
      assertThat(engine.as(KEY).endpoint("gated").status(id).status()).isEqualTo(Status.CANCELLED);
      assertThat(gate.started(id)).isFalse();
    }
  }

  @Test
  void purgeOfAnEmptyQueueRemovesNothing() {
    assertThat(engine.as(KEY).endpoint("gated").purgeQueue()).isEqualTo(PurgeResult.of(0));
  }

  @Test
  void purgeRemovesOnlyTheCallersJobs() {
    String running = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(running));
    engine.as(KEY).endpoint("gated").run(JobRequest.of(1));
    String others = engine.as(OTHER_KEY).endpoint("gated").run(JobRequest.of(2)).id();

    assertThat(engine.as(KEY).endpoint("gated").purgeQueue().removed()).isEqualTo(1);
    assertThat(engine.as(OTHER_KEY).endpoint("gated").status(others).status()).isEqualTo(Status.IN_QUEUE);
  }
}
