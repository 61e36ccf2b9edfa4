package dev.runline.redis;

import dev.runline.RunlineBuilder;
import dev.runline.spi.SharedStoreProvider;
import java.time.Duration;

/** The configuration file's {@code cluster: {redis: redis://...}}: found through {@link java.util.ServiceLoader}. */
public final class RedisStoreProvider implements SharedStoreProvider {
  @Override
  public boolean serves(String scheme) {
    return "redis".equals(scheme) || "rediss".equals(scheme);
  }

  @Override
  public RunlineBuilder join(RunlineBuilder builder, String uri, String node, Duration leaseTimeout,
      Integer maxRedeliveries) {
    RedisOptions options = RedisOptions.of(uri);
    if (node != null) {
      options = options.withNode(node);
    }
    if (leaseTimeout != null) {
      options = options.withLeaseTimeout(leaseTimeout);
    }
    if (maxRedeliveries != null) {
      options = options.withMaxRedeliveries(maxRedeliveries);
    }
    return RedisJobs.node(builder, options);
  }
}
