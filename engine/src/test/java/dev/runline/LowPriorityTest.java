package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code policy.lowPriority}: such jobs run only while no normal job of the endpoint waits. */
class LowPriorityTest {
  private final FakeTime time = new FakeTime();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Object> order = new CopyOnWriteArrayList<>();
  private final Runline engine = Engines.start(time, Endpoint.builder("one").handler(job -> {
    if ("blocker".equals(job.input())) {
      release.await(30, TimeUnit.SECONDS);
    }
    order.add(job.input());
    return null;
  }).workers(1).build());

  @AfterEach
  void close() {
    release.countDown();
    engine.close();
  }

  @Test
  void normalJobsQueuedLaterStillRunBeforeWaitingLowPriorityJobs() {
    engine.as(KEY).endpoint("one").run(JobRequest.of("blocker"));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("one").health().jobs().inProgress() == 1);
    JobRequest low = JobRequest.of("low-1").withPolicy(Policy.UNSET.withLowPriority(true));
    engine.as(KEY).endpoint("one").run(low);
    engine.as(KEY).endpoint("one").run(JobRequest.of("low-2").withPolicy(Policy.UNSET.withLowPriority(true)));
    engine.as(KEY).endpoint("one").run(JobRequest.of("normal-1"));
    engine.as(KEY).endpoint("one").run(JobRequest.of("normal-2"));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("one").health().jobs().inQueue() == 4);

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 5);
    assertThat(order).containsExactly("blocker", "normal-1", "normal-2", "low-1", "low-2");
  }
}
