package dev.runline.server;

import dev.runline.redis.RedisJobs;
import java.util.List;

/**
 * Every route of {@link HttpRoutesTest} on two servers sharing one Redis, the calls going to
 * each in turn: a job run through one is read, waited for, streamed, cancelled and retried
 * through the other.
 */
class HttpRoutesOnTwoNodesTest extends HttpRoutesOnRedisTest {
  @Override
  HttpFixture start() {
    startRedis();
    String namespace = "routes-" + System.nanoTime();
    return new HttpFixture(List.of(
        builder -> RedisJobs.node(builder, node("node-a", namespace)),
        builder -> RedisJobs.node(builder, node("node-b", namespace))));
  }
}
