package dev.runline.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.NotFoundException;
import dev.runline.RateLimitedException;
import dev.runline.Route;
import dev.runline.RouteLimit;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.Status;
import dev.runline.StreamBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Two engines sharing one Redis serve every endpoint as one service: every route answers from either node. */
class TwoNodesTest extends TwoNodesOnOneRedis {
  @Override
  RunlineBuilder endpoints(RunlineBuilder builder) {
    return builder
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(2).build())
        .endpoint(Endpoint.builder("held").handler(job -> {
          release.await();
          return Map.of("released", true);
        }).workers(1).build())
        .endpoint(Endpoint.builder("limited").handler(job -> job.input()).workers(1)
            .limit(Route.RUN, RouteLimit.of(5, Duration.ofSeconds(60), 0)).build())
        .endpoint(Endpoint.builder("words").streamingHandler((job, sink) -> {
          for (String word : String.valueOf(job.input()).split(" ")) {
            sink.emit(word);
          }
        }).workers(1).build());
  }

  @Test
  void aJobRunOnOneNodeIsFoundAndFinishedOnTheOther() {
    JobStatus queued = on(a, "echo").run(JobRequest.of(Map.of("hello", "world")));

    Awaitility.await().atMost(BOUND).until(() -> on(b, "echo").status(queued.id()).status() == Status.COMPLETED);
    assertThat(on(b, "echo").status(queued.id()).output()).isEqualTo(Map.of("hello", "world"));
    assertThat(on(a, "echo").status(queued.id()).output()).isEqualTo(Map.of("hello", "world"));
  }

  @Test
  void runSyncOnEitherNodeReturnsTheOutputWhereverTheJobRan() throws Exception {
    for (int i = 0; i < 20; i++) {
      Runline node = i % 2 == 0 ? a : b;
      JobStatus done = on(node, "echo").runSync(JobRequest.of(i), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
      assertThat(done.status()).isEqualTo(Status.COMPLETED);
      assertThat(done.output()).isEqualTo(i);
    }
  }

  @Test
  void everyRunSyncHearsItsEndThoughNodesDropTheJobsTheyNoLongerNeed() throws Exception {
    // A node drops, once a second, the jobs it neither runs nor follows; a runSync's job is
    // followed a moment after it is admitted, and must never be dropped in between.
    for (int i = 0; i < 1_500; i++) {
      Runline node = i % 2 == 0 ? a : b;
      JobStatus done = on(node, "echo").runSync(JobRequest.of(i), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
      assertThat(done.status()).as("runSync %d", i).isEqualTo(Status.COMPLETED);
    }
  }

  @Test
  void aLongPollOnOneNodeWakesWhenTheJobEndsOnTheOther() throws Exception {
    JobStatus queued = on(a, "held").run(JobRequest.of("x"));
    var waiting = on(b, "held").statusSync(queued.id(), Duration.ofSeconds(20));
    Awaitility.await().atMost(BOUND).until(() -> on(a, "held").status(queued.id()).status() == Status.IN_PROGRESS);
    assertThat(waiting).isNotDone();

    release.countDown();

    JobStatus done = waiting.get(30, TimeUnit.SECONDS);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo(Map.of("released", true));
  }

  @Test
  void aCancelOnOneNodeEndsAJobRunningOnTheOther() throws Exception {
    JobStatus queued = on(a, "held").run(JobRequest.of("x"));
    Awaitility.await().atMost(BOUND).until(() -> on(a, "held").status(queued.id()).status() == Status.IN_PROGRESS);
    String worker = on(a, "held").status(queued.id()).workerId();
    Runline other = worker.startsWith("node-a/") ? b : a;

    JobStatus cancelled = on(other, "held").cancel(queued.id());

    assertThat(cancelled.status()).isEqualTo(Status.CANCELLED);
    Awaitility.await().atMost(BOUND).until(() -> on(a, "held").health().workers().running() == 0);
    assertThat(on(b, "held").status(queued.id()).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void theCountsOfHealthAreTheClustersFromEitherNode() {
    for (int i = 0; i < 10; i++) {
      on(i % 2 == 0 ? a : b, "echo").run(JobRequest.of(i));
    }

    Awaitility.await().atMost(BOUND).until(() -> on(a, "echo").health().jobs().completed() == 10);
    Health fromB = on(b, "echo").health();
    assertThat(fromB.jobs().completed()).isEqualTo(10);
    assertThat(fromB.jobs().inQueue()).isZero();
    assertThat(fromB.jobs().inProgress()).isZero();
    Awaitility.await().atMost(BOUND).until(() -> on(b, "echo").health().workers().idle() == 4);
  }

  @Test
  void aStreamIsDrainedOnceAcrossTheNodes() throws Exception {
    JobStatus queued = on(a, "words").run(JobRequest.of("one two three"));
    Awaitility.await().atMost(BOUND).until(() -> on(a, "words").status(queued.id()).status() == Status.COMPLETED);

    StreamBatch first = on(b, "words").stream(queued.id(), Duration.ZERO).get(10, TimeUnit.SECONDS);
    StreamBatch second = on(a, "words").stream(queued.id(), Duration.ZERO).get(10, TimeUnit.SECONDS);

    assertThat(first.stream()).extracting(StreamBatch.Chunk::output).containsExactly("one", "two", "three");
    assertThat(second.stream()).isEmpty();
    assertThat(second.status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aKeysRateLimitHoldsAcrossTheNodes() {
    for (int i = 0; i < 5; i++) {
      on(i % 2 == 0 ? a : b, "limited").run(JobRequest.of(i));
    }

    assertThatThrownBy(() -> on(a, "limited").run(JobRequest.of(5))).isInstanceOf(RateLimitedException.class);
    assertThatThrownBy(() -> on(b, "limited").run(JobRequest.of(5))).isInstanceOf(RateLimitedException.class);
    assertThat(b.as(OTHER_KEY).endpoint("limited").run(JobRequest.of(0)).status()).as("another key's bucket")
        .isEqualTo(Status.IN_QUEUE);
  }

  @Test
  void anotherKeysJobIsNotFoundOnEitherNode() {
    JobStatus queued = on(a, "echo").run(JobRequest.of(1));

    assertThatThrownBy(() -> b.as(OTHER_KEY).endpoint("echo").status(queued.id())).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> a.as(OTHER_KEY).endpoint("echo").status(queued.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void purgeOnOneNodeCancelsTheQueuedJobsAdmittedOnBoth() {
    List<String> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(on(i % 2 == 0 ? a : b, "held").run(JobRequest.of(i)).id());
    }
    // One runs on each node (one worker each); of the four left, each node took one more to hold behind its worker.
    Awaitility.await().atMost(BOUND).until(() -> on(a, "held").health().jobs().inProgress() == 2);

    long purged = on(b, "held").purgeQueue().removed();

    assertThat(purged).isPositive();
    long cancelled = held.stream().filter(id -> on(a, "held").status(id).status() == Status.CANCELLED).count();
    assertThat(cancelled).isEqualTo(purged);
  }
}
