package dev.runline.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.Runline;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which nodes serve the endpoints together, as each node's inspection names them. */
class ClusterNodesTest {
  private static final Duration LEASE = Duration.ofMillis(500);
  private RedisServer redis;
  private Runline a;
  private Runline b;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    String namespace = "nodes-" + System.nanoTime();
    a = node("node-a", namespace);
    b = node("node-b", namespace);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      a.close();
      b.close();
    } finally {
      redis.close();
    }
  }

  private Runline node(String name, String namespace) {
    return RedisJobs.node(Runline.builder(), RedisOptions.of(redis.uri()).withNode(name).withNamespace(namespace)
            .withLeaseTimeout(LEASE))
        .shutdownTimeout(Duration.ofSeconds(1))
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(1).build())
        .build();
  }

  @Test
  void eachNodeNamesTheLiveNodesItselfFirst() {
    assertThat(a.inspect().nodes()).containsExactly("node-a", "node-b");
    assertThat(b.inspect().nodes()).containsExactly("node-b", "node-a");
  }

  @Test
  void aNodeThatStoppedLeavesOnceItsLeaseRunsOut() {
    b.close();

    Awaitility.await("node-b gone from node-a's nodes").atMost(Duration.ofSeconds(20))
        .until(() -> a.inspect().nodes().equals(List.of("node-a")));
  }

  @Test
  void anEngineWithoutASharedStoreHasNoNodes() {
    try (Runline alone = Runline.builder().endpoint(Endpoint.builder("echo").handler(job -> job.input()).build())
        .build()) {
      assertThat(alone.inspect().nodes()).isEmpty();
    }
  }
}
