package dev.runline.server;

import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** Every route of {@link HttpRoutesTest} with the jobs on a real Redis: one node. */
class HttpRoutesOnRedisTest extends HttpRoutesTest {
  RedisServer redis;

  /** Node {@code name} on the test's Redis, in a namespace of its own. */
  RedisOptions node(String name, String namespace) {
    return RedisOptions.of(redis.uri()).withNode(name).withNamespace(namespace);
  }

  void startRedis() {
    try {
      redis = RedisServer.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  HttpFixture start() {
    startRedis();
    String namespace = "routes-" + System.nanoTime();
    return new HttpFixture(List.of(builder -> RedisJobs.node(builder, node("node-a", namespace))));
  }

  @Override
  @AfterAll
  void stopServers() {
    try {
      super.stopServers();
    } finally {
      try {
        redis.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
