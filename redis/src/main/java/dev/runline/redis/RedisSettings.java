package dev.runline.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis settings that decide whether accepted jobs can be lost, checked once at start: a
 * warning names each setting that allows it.
 */
final class RedisSettings {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSettings.class);

  private RedisSettings() {}

  static void warnIfJobsCanBeLost(RedisClient client, RedisOptions options) {
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Map<String, String> aof = connection.sync().configGet("appendonly");
      Map<String, String> policy = connection.sync().configGet("maxmemory-policy");
      if (!"yes".equals(aof.get("appendonly"))) {
        LOG.warn("Redis at {} has appendonly {}: jobs accepted since its last snapshot are lost if it stops; set"
            + " 'appendonly yes'", options.where(), aof.getOrDefault("appendonly", "unknown"));
      }
      String eviction = policy.get("maxmemory-policy");
      if (eviction != null && !"noeviction".equals(eviction)) {
        LOG.warn("Redis at {} has maxmemory-policy {}: when full it may drop jobs' keys; set"
            + " 'maxmemory-policy noeviction' (it then refuses new jobs instead)", options.where(), eviction);
      }
    } catch (RedisException e) {
      if (e.getMessage() != null && e.getMessage().contains("CONFIG")) {
        // A managed Redis may forbid CONFIG: nothing to check, nothing wrong.
        LOG.info("Redis at {} does not show its settings ({}); make sure it keeps jobs: appendonly yes,"
            + " maxmemory-policy noeviction", options.where(), e.getMessage());
        return;
      }
      throw new IllegalStateException("cannot reach Redis at " + options.where() + ": " + e.getMessage()
          + "; start it, or check the redis URI and the network", e);
    }
  }
}
