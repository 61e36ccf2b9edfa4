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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /health}: job counts by state and worker counts. */
class HealthRouteTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final Runline engine = Engines.start(time,
      Endpoint.builder("gated").handler(gate).workers(2).build(),
      Endpoint.builder("fail").handler(job -> {
        throw new RuntimeException("no");
      }).build());

  @AfterEach
  void close() {
    gate.open();
    engine.close();
  }

  @Test
  void aNewEndpointHasNoJobsAndIdleWorkers() {
    Health health = engine.as(KEY).endpoint("gated").health();
    assertThat(health.jobs()).isEqualTo(new Health.Jobs(0, 0, 0, 0, 0));
    assertThat(health.workers().idle()).isEqualTo(2);
    assertThat(health.workers().running()).isZero();
  }

  @Test
  void itCountsQueuedRunningCompletedAndFailedJobs() {
    String a = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();
    String b = engine.as(KEY).endpoint("gated").run(JobRequest.of(2)).id();
    engine.as(KEY).endpoint("gated").run(JobRequest.of(3));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(a) && gate.started(b));

    Health busy = engine.as(KEY).endpoint("gated").health();
    assertThat(busy.jobs().inProgress()).isEqualTo(2);
    assertThat(busy.jobs().inQueue()).isEqualTo(1);
    assertThat(busy.workers().running()).isEqualTo(2);
    assertThat(busy.workers().idle()).isZero();

    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("gated").health().jobs().completed() == 3);
    assertThat(engine.as(KEY).endpoint("gated").health().jobs()).isEqualTo(new Health.Jobs(3, 0, 0, 0, 0));

    engine.as(KEY).endpoint("fail").run(JobRequest.of(Map.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("fail").health().jobs().failed() == 1);
  }

  @Test
  void anUnknownEndpointIsNotFound() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("nope").health()).isInstanceOf(NotFoundException.class);
  }
}
