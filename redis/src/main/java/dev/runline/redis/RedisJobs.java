package dev.runline.redis;

import dev.runline.RunlineBuilder;
import dev.runline.StoreUnavailableException;
import dev.runline.spi.JobStore;
import dev.runline.spi.RateBuckets;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runline on Redis: the job store several nodes share, so that any number of engines (or
 * {@code runline-server} processes) given the same Redis serve every endpoint as one service.
 *
 * <pre>{@code
 * RedisOptions redis = RedisOptions.of("redis://127.0.0.1:6379/0").withNode("node-a");
 * Runline engine = Runline.builder()
 *     .jobStore(RedisJobs.store(redis))
 *     .endpoint(Endpoint.builder("echo").handler(job -> job.input()).build())
 *     .build();
 * }</pre>
 *
 * <p>Keep Redis from losing jobs: {@code appendonly yes} (jobs survive a restart of Redis) and
 * {@code maxmemory-policy noeviction} (Redis refuses writes when full rather than dropping
 * keys); the store warns at start when either is not so.
 */
public final class RedisJobs {
  private RedisJobs() {}

  /** The job store on the Redis of {@code options}; each engine it is given to is one node. */
  public static JobStore.Factory store(RedisOptions options) {
    Objects.requireNonNull(options, "options");
    return new JobStore.Factory() {
      @Override
      public JobStore open(JobStore.Context context) {
        RedisClient client = client(options);
        try {
          RedisSettings.warnIfJobsCanBeLost(client, options);
          return new RedisJobStore(options, client, context);
        } catch (RuntimeException | Error e) {
          shutdown(client);
          throw e;
        }
      }

      @Override
      public boolean opensShared() {
        return true;
      }
    };
  }

  /**
   * The route limits' token buckets on the Redis of {@code options}, so that a key's limit
   * holds across every node (give it to each node's builder with the store:
   * {@link dev.runline.RunlineBuilder#rateBuckets}). The engine closes it.
   */
  public static RateBuckets rateBuckets(RedisOptions options) {
    return new RedisRateBuckets(Objects.requireNonNull(options, "options"));
  }

  /**
   * Makes {@code builder}'s engine a node of the service on the Redis of {@code options}: its
   * job store and its rate limits there.
   */
  public static RunlineBuilder node(RunlineBuilder builder, RedisOptions options) {
    return builder.jobStore(store(options)).rateBuckets(rateBuckets(options));
  }

  /**
   * A Lettuce client for {@code options}: reconnecting by itself, at most half a second apart
   * (Lettuce's default backs off to 30 s, longer than a node's lease: the others would take its
   * jobs back while Redis was long up again), refusing commands at once while disconnected (so a
   * caller gets a 503 rather than a wait), each command bounded by the command timeout. Its
   * resources are its own: {@link #shutdown} ends both.
   */
  static RedisClient client(RedisOptions options) {
    RedisURI uri = RedisURI.create(options.uri());
    uri.setTimeout(options.commandTimeout());
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
        .build());
    return client;
  }

  /**
   * Runs a Redis call of the job store; Redis out of reach (down, or slower than the command
   * timeout) is a 503 for the caller.
   */
  static <T> T call(RedisOptions options, Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new StoreUnavailableException("the shared job store (Redis at " + options.where()
          + ") cannot be reached: " + e.getMessage() + "; retry later (a request sent just as the store went out of"
          + " reach may still have been applied: a job may have been queued)");
    }
  }

  /** Closes {@code client} and its resources. */
  static void shutdown(RedisClient client) {
    try {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    } finally {
      client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
