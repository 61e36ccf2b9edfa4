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
    String running = engine.run(KEY, "gated", JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(running));
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(engine.run(KEY, "gated", JobRequest.of(i)).id());
    }

    assertThat(engine.purgeQueue(KEY, "gated")).isEqualTo(new PurgeResult(5, "completed"));
    assertThat(engine.health(KEY, "gated").jobs().inQueue()).isZero();
    assertThat(engine.status(KEY, "gated", running).status()).isEqualTo(Status.IN_PROGRESS);

    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.status(KEY, "gated", running).status() == Status.COMPLETED);
    for (String id : queued) {
      assertThat(engine.status(KEY, "gated", id).status()).isEqualTo(Status.CANCELLED);
      assertThat(gate.started(id)).isFalse();
    }
  }

  @Test
  void purgeOfAnEmptyQueueRemovesNothing() {
    assertThat(engine.purgeQueue(KEY, "gated")).isEqualTo(PurgeResult.of(0));
  }

  @Test
  void purgeRemovesOnlyTheCallersJobs() {
    String running = engine.run(KEY, "gated", JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(running));
    engine.run(KEY, "gated", JobRequest.of(1));
    String others = engine.run(OTHER_KEY, "gated", JobRequest.of(2)).id();

    assertThat(engine.purgeQueue(KEY, "gated").removed()).isEqualTo(1);
    assertThat(engine.status(OTHER_KEY, "gated", others).status()).isEqualTo(Status.IN_QUEUE);
  }
}
