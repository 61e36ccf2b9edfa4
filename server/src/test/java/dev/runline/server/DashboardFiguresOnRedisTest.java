package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.Runline;
import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's figures of a node whose shared store (a real Redis) goes out of reach: a
 * second whose counts cannot be read is a gap in the queue chart, and the overview keeps the
 * last counts read, instead of the tick failing.
 */
class DashboardFiguresOnRedisTest {
  private static final long T0 = 1_700_000_000_000L;
  private RedisServer redis;
  private Runline engine;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    engine = RedisJobs.node(Runline.builder(), RedisOptions.of(redis.uri()).withNode("node-a")
            .withNamespace("figures-" + System.nanoTime()).withCommandTimeout(Duration.ofMillis(500)))
        .shutdownTimeout(Duration.ofSeconds(1))
        .endpoint(Endpoint.builder("e").handler(job -> job.input()).workers(1).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      engine.close();
    } finally {
      redis.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> endpoint(Map<String, Object> view) {
    return (Map<String, Object>) ((List<Object>) view.get("endpoints")).get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Long> series(Map<String, Object> view, String name) {
    return (List<Long>) ((Map<String, Object>) endpoint(view).get("series")).get(name);
  }

  @Test
  void aSecondWhoseCountsCannotBeReadIsAGapAndTheOverviewKeepsTheLastCounts() throws Exception {
    DashboardFigures figures = new DashboardFigures(engine);
    figures.tick(T0);
    Health lastRead = (Health) endpoint(figures.snapshot()).get("health");

    redis.stop();
    figures.tick(T0 + 1000);

    Map<String, Object> view = figures.snapshot();
    assertThat(series(view, "t")).containsExactly(T0 / 1000, T0 / 1000 + 1);
    assertThat(series(view, "inQueue")).containsExactly(0L, null);
    assertThat(series(view, "inProgress")).containsExactly(0L, null);
    assertThat(endpoint(view).get("health")).isNotNull().isEqualTo(lastRead);
  }
}
