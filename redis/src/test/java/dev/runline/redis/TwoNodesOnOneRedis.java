package dev.runline.redis;

import dev.runline.EndpointClient;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Two engines, {@link #a} and {@link #b}, sharing one real Redis (one per test class) in a
 * namespace of their own per test, with the endpoints {@link #endpoints} adds; {@link #release}
 * opens every handler that waits on it, and the nodes are closed after each test.
 */
abstract class TwoNodesOnOneRedis {
  static final Duration BOUND = Duration.ofSeconds(20);
  static final String KEY = "two-nodes-key";
  static final String OTHER_KEY = "two-nodes-other-key";
  static RedisServer redis;

  final CountDownLatch release = new CountDownLatch(1);
  private final List<Runline> engines = new ArrayList<>();
  Runline a;
  Runline b;
  String namespace;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void startNodes() {
    namespace = "t" + System.nanoTime();
    a = node("node-a");
    b = node("node-b");
  }

  @AfterEach
  void stopNodes() {
    release.countDown();
    engines.forEach(Runline::close);
  }

  /** The endpoints of both nodes. */
  abstract RunlineBuilder endpoints(RunlineBuilder builder);

  private Runline node(String name) {
    RunlineBuilder builder = RedisJobs.node(Runline.builder(), RedisOptions.of(redis.uri()).withNode(name)
        .withNamespace(namespace).withLeaseTimeout(Duration.ofSeconds(2)));
    Runline engine = endpoints(builder.apiKeys(KEY, OTHER_KEY).shutdownTimeout(Duration.ofSeconds(2))).build();
    engines.add(engine);
    return engine;
  }

  static EndpointClient on(Runline node, String endpoint) {
    return node.as(KEY).endpoint(endpoint);
  }
}
