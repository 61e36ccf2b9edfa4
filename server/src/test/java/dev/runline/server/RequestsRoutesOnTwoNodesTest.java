package dev.runline.server;

import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Every test of {@link RequestsRoutesTest} on two servers sharing one Redis, the calls going to
 * each in turn: jobs admitted through one are listed, paged, followed and shown through the other.
 */
class RequestsRoutesOnTwoNodesTest extends RequestsRoutesTest {
  private RedisServer redis;

  @Override
  HttpFixture start() {
    try {
      redis = RedisServer.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String namespace = "requests-" + System.nanoTime();
    return new HttpFixture(List.of(
        builder -> RedisJobs.node(builder, RedisOptions.of(redis.uri()).withNode("node-a").withNamespace(namespace)),
        builder -> RedisJobs.node(builder, RedisOptions.of(redis.uri()).withNode("node-b").withNamespace(namespace))));
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
