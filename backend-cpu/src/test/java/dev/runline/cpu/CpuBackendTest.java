package dev.runline.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code cpu} backend: found by name, a pool of the configured size. */
class CpuBackendTest {

  @Test
  void theEngineFindsTheCpuBackendByNameThroughTheServiceLoader() throws Exception {
    try (Runline engine = Runline.builder()
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).backend("cpu").workers(1).build()).build()) {
      JobStatus done = engine.as(null).endpoint("echo").runSync(JobRequest.of("x"), Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(Status.COMPLETED);
      assertThat(done.workerId()).isEqualTo("cpu-echo-0");
    }
  }

  @Test
  void jobsRunOnAsManyThreadsAsTheEndpointHasWorkers() throws Exception {
    int workers = 3;
    CountDownLatch allRunning = new CountDownLatch(workers);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (Runline engine = Runline.builder().endpoint(Endpoint.builder("pool").workers(workers).handler(job -> {
      threads.add(Thread.currentThread().getName());
      allRunning.countDown();
      return allRunning.await(10, TimeUnit.SECONDS);
    }).build()).build()) {
      for (int i = 0; i < workers; i++) {
        engine.as(null).endpoint("pool").run(JobRequest.of(i));
      }
      assertThat(allRunning.await(10, TimeUnit.SECONDS)).as("all workers ran at once").isTrue();
      assertThat(threads).hasSize(workers).allMatch(name -> name.startsWith("runline-pool-cpu-"));
      assertThat(engine.as(null).endpoint("pool").health().workers().running()).isBetween(0, workers);
    }
  }

  @Test
  void theCpuBackendTakesNoSettingsAndSaysWhatToSetInstead() {
    assertThatThrownBy(() -> Runline.builder()
        .endpoint(Endpoint.builder("e").handler(job -> null).backendSetting("device", 0).build()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes no backendSettings")
        .hasMessageContaining("device");
  }

  @Test
  void aKernelEndpointTakesItsKernelsSettingsAndNoOthers() {
    assertThatThrownBy(() -> Runline.builder()
        .endpoint(Endpoint.builder("m").kernel("matmul").backendSetting("maxDim", 8).backendSetting("threads", 2).build())
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backendSettings.threads is not a setting of a matmul endpoint on this backend; "
            + "the settings allowed are maxDim");
  }
}
