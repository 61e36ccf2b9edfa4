package dev.runline.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.EndpointClient;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.config.ConfigException;
import dev.runline.config.HandlerRegistry;
import dev.runline.config.RunlineConfig;
import java.io.StringReader;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The configuration file's {@code cluster:} section: nodes joined through it, and its mistakes named. */
class ClusterConfigTest {
  private static final HandlerRegistry HANDLERS = HandlerRegistry.builder().handler("echo", job -> job.input()).build();
  private static final String ENDPOINTS = "apiKeys: [cluster-config-key]\nendpoints:\n  echo:\n    handler: echo\n";

  private static Runline start(String yaml) {
    return RunlineConfig.load(new StringReader(yaml + ENDPOINTS), "runline.yaml", HANDLERS).build();
  }

  @Test
  void twoEnginesFromFilesNamingOneRedisServeOneQueue() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      String cluster = "cluster:\n  redis: " + redis.uri() + "\n  leaseTimeout: 5s\n  maxRedeliveries: 1\n";
      try (Runline a = start(cluster + "  node: node-a\n"); Runline b = start(cluster + "  node: node-b\n")) {
        EndpointClient onA = a.as("cluster-config-key").endpoint("echo");
        EndpointClient onB = b.as("cluster-config-key").endpoint("echo");

        JobStatus done = onA.runSync(JobRequest.of("hello"), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);

        assertThat(done.status()).isEqualTo(Status.COMPLETED);
        assertThat(onB.status(done.id()).output()).isEqualTo("hello");
        assertThat(done.workerId()).matches("node-[ab]/.*");
      }
    }
  }

  @Test
  void aStoreNoModuleServesIsRefusedNamingTheField() {
    assertThatThrownBy(() -> start("cluster:\n  redis: memcached://127.0.0.1:11211\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.redis")
        .hasMessageContaining("no module on the class path serves 'memcached' stores");
  }

  @Test
  void aLeaseTooShortIsRefusedWithTheLimit() {
    assertThatThrownBy(() -> start("cluster:\n  redis: redis://127.0.0.1:6379/0\n  leaseTimeout: 100ms\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("leaseTimeout must be at least 300 ms, was 100 ms");
  }

  @Test
  void aRedisThatCannotBeReachedStopsTheStartSayingWhatToCheck() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThatThrownBy(() -> start("cluster:\n  redis: redis://127.0.0.1:" + closed + "/0\n"))
        .hasMessageContaining("cannot reach Redis at redis://127.0.0.1:" + closed)
        .hasMessageContaining("start it, or check the redis URI and the network");
  }
}
