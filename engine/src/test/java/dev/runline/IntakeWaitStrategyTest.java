package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.testing.ThreadsBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every intake wait strategy hands every job over: bursts from several producers, then single
 * round trips (where the consumer has gone idle between jobs, the strategies that park must
 * be woken), each job COMPLETED once.
 */
class IntakeWaitStrategyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PRODUCERS = 3;
  private static final int JOBS_PER_PRODUCER = 500;

  @ParameterizedTest
  @EnumSource(IntakeWaitStrategy.class)
  void everyJobIsHandedToAWorkerAndCompletes(IntakeWaitStrategy strategy) throws Exception {
    Runline engine = Runline.builder().backend(ThreadsBackend.provider()).intakeWaitStrategy(strategy)
        .endpoint(Endpoint.builder("echo").workers(2).unlimited().queueCapacity(4096)
            .handler(job -> job.input()).build())
        .build();
    ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
    try {
      List<Future<List<String>>> submitted = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        submitted.add(producers.submit(() -> {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < JOBS_PER_PRODUCER; i++) {
            ids.add(engine.as(null).endpoint("echo").run(JobRequest.of(Map.of("p", producer, "i", i))).id());
          }
          return ids;
        }));
      }
      for (Future<List<String>> ids : submitted) {
        for (String id : ids.get(30, TimeUnit.SECONDS)) {
          JobStatus done = engine.as(null).endpoint("echo").statusSync(id, WAIT).get(30, TimeUnit.SECONDS);
          assertThat(done.status()).as("job %s", id).isEqualTo(Status.COMPLETED);
        }
      }
      for (int i = 0; i < 50; i++) {
        CompletableFuture<JobStatus> answer = engine.as(null).endpoint("echo").runSync(JobRequest.of(i), WAIT);
        JobStatus done = answer.get(30, TimeUnit.SECONDS);
        assertThat(done.status()).isEqualTo(Status.COMPLETED);
        assertThat(done.output()).isEqualTo(i);
      }

      Health.Jobs jobs = engine.as(null).endpoint("echo").health().jobs();
      assertThat(jobs.completed()).isEqualTo(PRODUCERS * JOBS_PER_PRODUCER + 50);
      assertThat(jobs.failed()).isZero();
      assertThat(jobs.inQueue()).isZero();
      assertThat(jobs.inProgress()).isZero();
    } finally {
      producers.shutdownNow();
      engine.close();
    }
  }
}
