package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /retry}: a FAILED or TIMED_OUT job runs again under the same id. */
class RetryRouteTest {
  private final FakeTime time = new FakeTime();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  /** Fails its first attempt, succeeds afterwards; remembers each input it saw. */
  private final Handler flaky = job -> {
    int n = runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
    if (job.retries() == 0) {
      throw new IllegalArgumentException("first attempt fails");
    }
    return Map.of("attempt", n, "input", job.input());
  };
  private final Runline engine = Engines.start(time,
      Endpoint.builder("flaky").handler(flaky).workers(1).build(),
      Endpoint.builder("echo").handler(job -> job.input()).build());

  @AfterEach
  void close() {
    engine.close();
  }

  private JobStatus awaitTerminal(String endpoint, String id) {
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint(endpoint).status(id).status().isTerminal());
    return engine.as(KEY).endpoint(endpoint).status(id);
  }

  @Test
  void retryOfAFailedJobRequeuesTheSameIdWithItsInputAndCountsRetries() {
    String id = engine.as(KEY).endpoint("flaky").run(JobRequest.of("original")).id();
    JobStatus failed = awaitTerminal("flaky", id);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).contains("first attempt fails");

    assertThat(engine.as(KEY).endpoint("flaky").retry(id)).isEqualTo(JobStatus.brief(id, Status.IN_QUEUE));
    JobStatus done = awaitTerminal("flaky", id);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.retries()).isEqualTo(1);
    assertThat(done.error()).isNull();
    assertThat(done.output()).isEqualTo(Map.of("attempt", 2, "input", "original"));
    assertThat(engine.as(KEY).endpoint("flaky").health().jobs().retried()).isEqualTo(1);
  }

  @Test
  void aRetriedJobShowsNoPreviousOutputOrErrorWhileQueued() {
    String id = engine.as(KEY).endpoint("flaky").run(JobRequest.of("x")).id();
    awaitTerminal("flaky", id);
    engine.as(KEY).endpoint("flaky").retry(id);
    JobStatus now = engine.as(KEY).endpoint("flaky").status(id);
    if (now.status() == Status.IN_QUEUE) {
      assertThat(now.error()).isNull();
      assertThat(now.output()).isNull();
    }
    assertThat(now.retries()).isEqualTo(1);
  }

  @Test
  void retryOfACompletedJobIsABadRequest() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("x")).id();
    awaitTerminal("echo", id);
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").retry(id))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("COMPLETED")
        .hasMessageContaining("only FAILED or TIMED_OUT");
  }

  @Test
  void retryOfACancelledJobIsABadRequest() {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("x")).id();
    engine.as(KEY).endpoint("echo").cancel(id);
    awaitTerminal("echo", id);
    if (engine.as(KEY).endpoint("echo").status(id).status() == Status.CANCELLED) {
      assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").retry(id)).isInstanceOf(InvalidRequestException.class);
    } else {
      assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").retry(id)).hasMessageContaining("COMPLETED");
    }
  }

  @Test
  void retryOfAnUnknownJobIsNotFound() {
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").retry("nope")).isInstanceOf(NotFoundException.class);
  }
}
