package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's figures, ticked by hand with chosen times: jobs ended per second by status,
 * the last minute's totals and percentiles, and no more than 15 minutes kept.
 */
class DashboardFiguresTest {
  private static final long T0 = 1_700_000_000_000L;
  private final Runline engine = Runline.builder().shutdownTimeout(Duration.ofSeconds(1))
      .endpoint(Endpoint.builder("e").handler(job -> null).workers(3).build()).build();
  private final DashboardFigures figures = new DashboardFigures(engine);

  @AfterEach
  void close() {
    engine.close();
  }

  private void ended(Status status, long delayMs, long executionMs) {
    figures.onTerminal("e", new JobStatus("id", status, delayMs, executionMs, null, null, null, "w", null));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> endpoint(Map<String, Object> view) {
    return (Map<String, Object>) ((List<Object>) view.get("endpoints")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Long> series(Map<String, Object> view, String name) {
    return (List<Long>) ((Map<String, Object>) endpoint(view).get("series")).get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> lastMinute(Map<String, Object> view) {
    return (Map<String, Object>) endpoint(view).get("lastMinute");
  }

  @Test
  void eachSecondCountsTheJobsThatEndedInItByStatus() {
    figures.tick(T0);
    ended(Status.COMPLETED, 1, 10);
    ended(Status.COMPLETED, 1, 10);
    ended(Status.FAILED, 1, 10);
    figures.tick(T0 + 1000);
    ended(Status.TIMED_OUT, 1, 10);
    ended(Status.CANCELLED, 1, 10);
    figures.tick(T0 + 2000);

    Map<String, Object> view = figures.snapshot();

    assertThat(series(view, "t")).containsExactly(T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2);
    assertThat(series(view, "completed")).containsExactly(0L, 2L, 0L);
    assertThat(series(view, "failed")).containsExactly(0L, 1L, 0L);
    assertThat(series(view, "timedOut")).containsExactly(0L, 0L, 1L);
    assertThat(series(view, "cancelled")).containsExactly(0L, 0L, 1L);
    assertThat(lastMinute(view)).containsEntry("completed", 2L).containsEntry("failed", 2L)
        .containsEntry("cancelled", 1L);
    assertThat(endpoint(view)).containsEntry("backend", "cpu").containsEntry("workersConfigured", 3);
  }

  @Test
  void percentilesComeFromTheDelaysAndExecutionTimesOfTheJobsThatEnded() {
    figures.tick(T0);
    for (int ms = 1; ms <= 100; ms++) {
      ended(Status.COMPLETED, ms, ms * 10L);
    }
    figures.tick(T0 + 1000);
    figures.tick(T0 + 2000);

    Map<String, Object> view = figures.snapshot();

    assertThat(series(view, "delayP50").get(1)).isEqualTo(50L);
    assertThat(series(view, "delayP95").get(1)).isEqualTo(95L);
    assertThat(series(view, "executionP50").get(1)).isBetween(495L, 505L);
    assertThat(series(view, "delayP50").get(2)).as("a second without an ended job has none").isNull();
    assertThat(lastMinute(view)).containsEntry("delayP50", 50L).containsEntry("delayP95", 95L);
  }

  @Test
  void theLastMinuteForgetsWhatEndedEarlier() {
    figures.tick(T0);
    ended(Status.COMPLETED, 5, 5);
    figures.tick(T0 + 1000);
    for (int s = 2; s <= 80; s++) {
      figures.tick(T0 + s * 1000L);
    }

    Map<String, Object> minute = lastMinute(figures.snapshot());

    assertThat(minute).containsEntry("completed", 0L).containsEntry("delayP50", null);
  }

  @Test
  void fifteenMinutesAreKeptAndEachTickSendsOnlyTheNewestSecond() {
    for (int s = 0; s < DashboardFigures.SECONDS_KEPT + 100; s++) {
      figures.tick(T0 + s * 1000L);
    }

    assertThat(series(figures.snapshot(), "t")).hasSize(DashboardFigures.SECONDS_KEPT)
        .startsWith(T0 / 1000 + 100);
    assertThat(series(figures.latest(), "t")).containsExactly(T0 / 1000 + DashboardFigures.SECONDS_KEPT + 99);
  }

  @Test
  void theQueueAndTheOverviewsCountsAreTheEndpointsHealth() {
    figures.tick(T0);

    Map<String, Object> view = figures.snapshot();

    assertThat(endpoint(view).get("health")).isEqualTo(engine.inspect().health("e"));
    assertThat(series(view, "inQueue")).containsExactly(0L);
  }
}
