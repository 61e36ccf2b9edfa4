package dev.runline.redis;

import dev.runline.StoreUnavailableException;
import dev.runline.spi.RateBuckets;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The route limits' token buckets in Redis, with Bucket4j's Lettuce integration (a
 * compare-and-swap of the bucket's state per token), so a key's limit holds across every
 * node. A bucket's key expires once it would be full again, so idle keys cost nothing.
 */
final class RedisRateBuckets implements RateBuckets, AutoCloseable {
  private final RedisOptions options;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final ProxyManager<String> buckets;
  private final String prefix;

  RedisRateBuckets(RedisOptions options) {
    this.options = options;
    this.client = RedisJobs.client(options);
    try {
      this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    } catch (RuntimeException e) {
      RedisJobs.shutdown(client);
      throw new IllegalStateException("cannot reach Redis at " + options.where() + ": " + e.getMessage()
          + "; start it, or check the redis URI and the network", e);
    }
    this.buckets = Bucket4jLettuce.casBasedBuilder(connection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build();
    this.prefix = options.namespace() + ":limit:";
  }

  @Override
  public Bucket bucket(String name, long capacity, Duration period) {
    BucketConfiguration configuration = BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
        .build();
    BucketProxy bucket = buckets.builder().build(prefix + name, () -> configuration);
    return () -> {
      ConsumptionProbe probe;
      try {
        probe = bucket.tryConsumeAndReturnRemaining(1);
      } catch (RuntimeException e) {
        throw new StoreUnavailableException("the rate limits on Redis at " + options.where()
            + " cannot be reached: " + e.getMessage() + "; nothing was done, retry later");
      }
      return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    };
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      RedisJobs.shutdown(client);
    }
  }
}
