package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /stream}: a generator handler's chunks, each readable once, and push subscriptions. */
class StreamRouteTest {
  private final FakeTime time = new FakeTime();
  /** Each permit lets the streaming handler yield one more word. */
  private final Semaphore next = new Semaphore(0);
  private final StreamingHandler words = (job, sink) -> {
    for (String word : String.valueOf(job.input()).split(" ")) {
      if (!next.tryAcquire(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never asked for the next word");
      }
      sink.emit(Map.of("text", List.of(word)));
    }
  };
  private final Runline engine = Engines.start(time,
      Endpoint.builder("tokens").streamingHandler(words).workers(1).build(),
      Endpoint.builder("tokens-aggregate").streamingHandler(words).returnAggregateStream(true).build(),
      Endpoint.builder("echo").handler(job -> job.input()).build());

  @AfterEach
  void close() {
    next.release(1000);
    engine.close();
  }

  private static List<Object> outputs(StreamBatch batch) {
    return batch.stream().stream().map(StreamBatch.Chunk::output).collect(Collectors.toList());
  }

  @Test
  void eachChunkIsReturnedOnceByTheStreamRoute() throws Exception {
    String id = engine.as(KEY).endpoint("tokens").run(JobRequest.of("hello big world")).id();
    next.release(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("tokens").status(id).status() == Status.IN_PROGRESS);

    StreamBatch first = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
    if (first.stream().size() < 2) {
      StreamBatch more = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
      first = new StreamBatch(id, more.status(), more.delayTime(),
          java.util.stream.Stream.concat(first.stream().stream(), more.stream().stream()).collect(Collectors.toList()));
    }
    assertThat(outputs(first)).containsExactly(Map.of("text", List.of("hello")), Map.of("text", List.of("big")));
    assertThat(first.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(first.delayTime()).isNotNull();

    next.release(1);
    StreamBatch second = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
    assertThat(outputs(second)).containsExactly(Map.of("text", List.of("world")));

    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("tokens").status(id).status().isTerminal());
    StreamBatch last = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
    assertThat(last.stream()).isEmpty();
    assertThat(last.status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void withNothingNewTheStreamRouteHoldsForTheNextChunk() throws Exception {
    String id = engine.as(KEY).endpoint("tokens").run(JobRequest.of("a b")).id();
    CompletableFuture<StreamBatch> held = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10));
    assertThat(held).isNotDone();

    next.release(1);
    assertThat(outputs(held.get(10, TimeUnit.SECONDS))).containsExactly(Map.of("text", List.of("a")));
  }

  @Test
  void whenTheWaitPassesTheStreamRouteAnswersAnEmptyBatch() throws Exception {
    String id = engine.as(KEY).endpoint("tokens").run(JobRequest.of("a b")).id();
    CompletableFuture<StreamBatch> held = engine.as(KEY).endpoint("tokens").stream(id, Duration.ofSeconds(10));

    time.advance(Duration.ofSeconds(10));
    StreamBatch empty = held.get(10, TimeUnit.SECONDS);
    assertThat(empty.stream()).isEmpty();
    assertThat(empty.status()).isIn(Status.IN_QUEUE, Status.IN_PROGRESS);
  }

  @Test
  void theFinalOutputIsAnEmptyListWithoutReturnAggregateStream() throws Exception {
    next.release(3);
    JobStatus done = engine.as(KEY).endpoint("tokens").runSync(JobRequest.of("a b c"), Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo(List.of());
  }

  @Test
  void theFinalOutputIsEveryChunkWithReturnAggregateStream() throws Exception {
    next.release(2);
    JobStatus done = engine.as(KEY).endpoint("tokens-aggregate").runSync(JobRequest.of("a b"), Duration.ofSeconds(30))
        .get(10, TimeUnit.SECONDS);
    assertThat(done.output()).isEqualTo(List.of(Map.of("text", List.of("a")), Map.of("text", List.of("b"))));
  }

  @Test
  void aPlainHandlersOutputIsStreamedAsOneChunk() throws Exception {
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("whole")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("echo").status(id).status().isTerminal());

    StreamBatch batch = engine.as(KEY).endpoint("echo").stream(id, Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
    assertThat(outputs(batch)).containsExactly("whole");
    assertThat(batch.status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aSubscriberGetsEarlierChunksThenLiveOnesThenTheTerminalStatus() throws Exception {
    String id = engine.as(KEY).endpoint("tokens").run(JobRequest.of("one two three")).id();
    next.release(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      StreamBatch peek = engine.as(KEY).endpoint("tokens").stream(id, Duration.ZERO).join();
      return !peek.stream().isEmpty();
    });

    List<Object> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<JobStatus> end = new CompletableFuture<>();
    try (AutoCloseable subscription = engine.as(KEY).endpoint("tokens").subscribe(id, new StreamListener() {
      @Override
      public void onChunk(Object chunk) {
        seen.add(chunk);
      }

      @Override
      public void onTerminal(JobStatus status) {
        end.complete(status);
      }
    })) {
      next.release(2);
      assertThat(end.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.COMPLETED);
    }
    assertThat(seen).containsExactly(
        Map.of("text", List.of("one")), Map.of("text", List.of("two")), Map.of("text", List.of("three")));
  }
}
