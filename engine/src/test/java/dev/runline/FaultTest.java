package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Handlers at their worst: one that never returns and ignores interruption (its job still
 * ends TIMED_OUT, CANCELLED or expired, /health says so, and shutdown still returns), ones
 * that throw Errors (a real StackOverflowError, OutOfMemoryError, ...) or exceptions that
 * misbehave themselves, ones that return enormous outputs or stream a great many chunks, and
 * one that leaves its thread interrupted. After each, the worker lives on and the next job
 * runs. (Webhook receivers that are down, slow or answer 500 are in {@link WebhookTest}.)
 */
class FaultTest {
  private final FakeTime time = new FakeTime();
  /** Opened after each test: only then do the stubborn handlers return. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final Map<String, AtomicInteger> ignoredInterrupts = new ConcurrentHashMap<>();
  private final Map<String, Thread> stubbornThreads = new ConcurrentHashMap<>();
  private final List<Runline> engines = new ArrayList<>();

  @AfterEach
  void close() {
    release.countDown();
    engines.forEach(Runline::close);
  }

  private Runline start(RunlineBuilder builder) {
    Runline engine = builder.build();
    engines.add(engine);
    return engine;
  }

  /** Never returns until the test ends, and swallows every interrupt. */
  private Object stubborn(JobContext job) {
    stubbornThreads.put(job.id(), Thread.currentThread());
    ignoredInterrupts.computeIfAbsent(job.id(), id -> new AtomicInteger());
    while (true) {
      try {
        if (release.await(60, TimeUnit.SECONDS)) {
          return "late output";
        }
      } catch (InterruptedException e) {
        ignoredInterrupts.get(job.id()).incrementAndGet();
      }
    }
  }

  private Runline stubbornEngine(int workers) {
    return start(Engines.builder(time)
        .endpoint(Endpoint.builder("stubborn").workers(workers).handler(job ->
            job.input().equals("ok") ? "fine" : stubborn(job)).build()));
  }

  private static JobRequest withPolicy(Object input, Duration executionTimeout, Duration ttl) {
    return JobRequest.of(input).withPolicy(new Policy(executionTimeout, ttl, false));
  }

  // ---- handlers that ignore interruption ---------------------------------------------------

  @Test
  void aHandlerThatIgnoresInterruptionStillEndsTimedOutAndHealthSaysSo() {
    Runline engine = stubbornEngine(2);
    String id = engine.as(KEY).endpoint("stubborn").run(withPolicy("stuck", Duration.ofSeconds(5), null)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> stubbornThreads.containsKey(id));

    time.advance(Duration.ofMillis(5100));
    JobStatus status = engine.as(KEY).endpoint("stubborn").status(id);
    assertThat(status.status()).isEqualTo(Status.TIMED_OUT);
    assertThat(status.error()).contains("execution timeout");
    await().atMost(Duration.ofSeconds(10)).until(() -> ignoredInterrupts.get(id).get() > 0);
    Health health = engine.as(KEY).endpoint("stubborn").health();
    assertThat(health.jobs().failed()).isEqualTo(1);
    assertThat(health.jobs().inProgress()).isZero();
    // The thread is still inside the handler of a job that ended: its worker is stuck.
    assertThat(health.workers().unhealthy()).isEqualTo(1);
    assertThat(health.workers().running()).isZero();
    assertThat(health.workers().idle()).isEqualTo(1);

    // The endpoint goes on serving on its other worker.
    String next = engine.as(KEY).endpoint("stubborn").run(JobRequest.of("ok")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("stubborn").status(next).status() == Status.COMPLETED);

    // Its late output changes nothing.
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("stubborn").health().workers().unhealthy() == 0);
    assertThat(engine.as(KEY).endpoint("stubborn").status(id).status()).isEqualTo(Status.TIMED_OUT);
    assertThat(engine.as(KEY).endpoint("stubborn").status(id).output()).isNull();
    assertThat(engine.as(KEY).endpoint("stubborn").health().jobs()).isEqualTo(new Health.Jobs(1, 1, 0, 0, 0));
  }

  @Test
  void aHandlerThatIgnoresInterruptionIsCancelledAtOnce() throws Exception {
    Runline engine = stubbornEngine(1);
    CompletableFuture<JobStatus> waiter = engine.as(KEY).endpoint("stubborn").runSync(JobRequest.of("stuck"), Duration.ofMinutes(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> stubbornThreads.size() == 1);
    String id = stubbornThreads.keySet().iterator().next();

    assertThat(engine.as(KEY).endpoint("stubborn").cancel(id).status()).isEqualTo(Status.CANCELLED);
    assertThat(waiter.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.CANCELLED);
    Health.Jobs jobs = engine.as(KEY).endpoint("stubborn").health().jobs();
    assertThat(jobs.inProgress()).isZero();
    assertThat(jobs.completed() + jobs.failed()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> ignoredInterrupts.get(id).get() > 0);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("stubborn").health().workers().running() == 0);
    assertThat(engine.as(KEY).endpoint("stubborn").status(id).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void aHandlerThatIgnoresInterruptionExpiresWithItsTtl() {
    Runline engine = stubbornEngine(1);
    String id = engine.as(KEY).endpoint("stubborn").run(withPolicy("stuck", null, Duration.ofSeconds(10))).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> stubbornThreads.containsKey(id));

    time.advance(Duration.ofSeconds(12));
    assertThatThrownBy(() -> engine.as(KEY).endpoint("stubborn").status(id)).isInstanceOf(NotFoundException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("stubborn").health().jobs().failed() == 1);
    assertThat(engine.as(KEY).endpoint("stubborn").health().jobs().inProgress()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> ignoredInterrupts.get(id).get() > 0);
  }

  /**
   * Shutdown cannot stop a thread that ignores interruption, but it still returns (after the
   * shutdown timeout and the backend's 10 s wait for its workers), every job ends terminal,
   * and the stuck thread exits as soon as its handler returns.
   */
  @Test
  void closeReturnsAndEndsEveryJobEvenWhenAHandlerNeverStops() throws Exception {
    Runline engine = Engines.builder(time).shutdownTimeout(Duration.ZERO)
        .endpoint(Endpoint.builder("stubborn").workers(1).handler(this::stubborn).build()).build();
    String running = engine.as(KEY).endpoint("stubborn").run(JobRequest.of("stuck")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> stubbornThreads.containsKey(running));
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(engine.as(KEY).endpoint("stubborn").run(JobRequest.of("queued")).id());
    }
    Map<String, JobStatus> ends = new ConcurrentHashMap<>();
    for (String id : queued) {
      engine.as(KEY).endpoint("stubborn").statusSync(id, Duration.ofHours(1)).thenAccept(s -> ends.put(id, s));
    }
    engine.as(KEY).endpoint("stubborn").statusSync(running, Duration.ofHours(1)).thenAccept(s -> ends.put(running, s));

    CompletableFuture<Void> closed = CompletableFuture.runAsync(engine::close);
    closed.get(30, TimeUnit.SECONDS);
    assertThat(ends).hasSize(4);
    assertThat(ends.values()).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(Status.CANCELLED);
      assertThat(s.error()).contains("the engine shut down");
    });
    Thread stuck = stubbornThreads.get(running);
    assertThat(stuck.isAlive()).as("a handler that ignores interruption keeps its thread").isTrue();
    assertThat(stubbornThreads).as("no queued job started after close").hasSize(1);
    release.countDown();
    stuck.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(stuck.isAlive()).as("the worker exits once its handler returns").isFalse();
  }

  /**
   * A handler that returns just after its job's ttl passed, before the store's expiry ran
   * (which takes up to about a second of engine time): whatever the job ends as, the answers
   * must agree. Either it ended COMPLETED, is counted so and is kept for its retention, or it
   * ended TIMED_OUT by its ttl, is counted failed and is gone.
   */
  @Test
  void aJobFinishingJustAfterItsTtlPassedIsEitherKeptOrCountedAsExpired() {
    CountDownLatch finish = new CountDownLatch(1);
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("late").workers(1).handler(job -> {
      stubbornThreads.put(job.id(), Thread.currentThread());
      finish.await(30, TimeUnit.SECONDS);
      return "finished";
    }).build()));
    String id = engine.as(KEY).endpoint("late").run(withPolicy("x", null, Duration.ofSeconds(10))).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> stubbornThreads.containsKey(id));

    time.advance(Duration.ofMillis(10_001));
    finish.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("late").health().jobs().inProgress() == 0);
    time.advance(Duration.ofSeconds(3));

    Health.Jobs jobs = engine.as(KEY).endpoint("late").health().jobs();
    JobStatus status;
    try {
      status = engine.as(KEY).endpoint("late").status(id);
    } catch (NotFoundException gone) {
      status = null;
    }
    if (jobs.completed() == 1) {
      assertThat(status).as("a job counted COMPLETED is kept for its retention (30 min), not lost").isNotNull();
      assertThat(status.status()).isEqualTo(Status.COMPLETED);
    } else {
      assertThat(jobs.failed()).as("otherwise it expired: counted failed").isEqualTo(1);
      assertThat(status).as("and removed").isNull();
    }
  }

  // ---- handlers that throw -----------------------------------------------------------------

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  /** A checked exception thrown where the compiler does not see it. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }

  static Stream<Arguments> throwables() {
    Map<String, Supplier<Object>> cases = new java.util.LinkedHashMap<>();
    cases.put("StackOverflowError", () -> recurse(0));
    cases.put("OutOfMemoryError", () -> {
      throw new OutOfMemoryError("simulated: Java heap space");
    });
    cases.put("AssertionError", () -> {
      throw new AssertionError("an assertion in the handler");
    });
    cases.put("ExceptionInInitializerError", () -> {
      throw new ExceptionInInitializerError(new IllegalStateException("static init"));
    });
    cases.put("NoClassDefFoundError", () -> {
      throw new NoClassDefFoundError("com/example/Missing");
    });
    cases.put("InternalError", () -> {
      throw new InternalError("internal");
    });
    cases.put("IOException", () -> {
      throw sneaky(new java.io.IOException("disk gone"));
    });
    cases.put("NullPointerException", () -> {
      String s = null;
      return s.length();
    });
    cases.put("UnsupportedOperationException", () -> {
      throw new UnsupportedOperationException();
    });
    cases.put("IllegalStateException", () -> {
      throw new IllegalStateException("x".repeat(1_000_000));
    });
    return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("throwables")
  void aHandlerThrowingAnyThrowableFailsItsJobAndTheWorkerGoesOn(String type, Supplier<Object> body) throws Exception {
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("faulty").workers(1)
        .handler(job -> job.input().equals("ok") ? "fine" : body.get()).build()));
    JobStatus failed = engine.as(KEY).endpoint("faulty").runSync(JobRequest.of("boom"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).startsWith(type);
    JobStatus next = engine.as(KEY).endpoint("faulty").runSync(JobRequest.of("ok"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
    assertThat(next.status()).as("the next job on the same single worker").isEqualTo(Status.COMPLETED);
    assertThat(next.workerId()).isEqualTo(failed.workerId());
    assertThat(engine.as(KEY).endpoint("faulty").health().jobs()).isEqualTo(new Health.Jobs(1, 1, 0, 0, 0));
    // The answer can come a moment before the worker counts itself idle again.
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("faulty").health().workers().idle() == 1);
  }

  /** An exception type whose own methods fail: a handler cannot rely on a well-behaved one. */
  static final class HostileException extends RuntimeException {
    HostileException() {
      super("unused");
    }

    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage() of the handler's exception threw");
    }

    @Override
    public String toString() {
      throw new IllegalStateException("toString() of the handler's exception threw");
    }
  }

  @Test
  void anExceptionWhoseGetMessageThrowsStillFailsTheJobAtOnce() throws Exception {
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("hostile").workers(1)
        .handler(job -> {
          if (job.input().equals("ok")) {
            return "fine";
          }
          throw new HostileException();
        }).build()));
    String id = engine.as(KEY).endpoint("hostile").run(JobRequest.of("boom")).id();
    // Not a wait for time: the job has nothing left to do but end.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.as(KEY).endpoint("hostile").status(id).status())
        .as("the job of a handler whose exception cannot describe itself").isEqualTo(Status.FAILED));
    JobStatus failed = engine.as(KEY).endpoint("hostile").status(id);
    assertThat(failed.error()).contains("HostileException");
    assertThat(engine.as(KEY).endpoint("hostile").health().jobs()).isEqualTo(new Health.Jobs(0, 1, 0, 0, 0));
    JobStatus next = engine.as(KEY).endpoint("hostile").runSync(JobRequest.of("ok"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
    assertThat(next.status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void anExceptionOfAnAnonymousClassIsStillNamedInTheError() throws Exception {
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("anonymous").workers(1)
        .handler(job -> {
          throw new RuntimeException("model not loaded") { };
        }).build()));
    JobStatus failed = engine.as(KEY).endpoint("anonymous").runSync(JobRequest.of(1), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).as("the error names a type before the message").matches("\\w.*: model not loaded");
  }

  @Test
  void aHandlerThatLeavesItsThreadInterruptedDoesNotInterruptTheNextJob() throws Exception {
    AtomicReference<Boolean> nextSawInterrupt = new AtomicReference<>();
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("rude").workers(1).handler(job -> {
      if (job.input().equals("rude")) {
        Thread.currentThread().interrupt();
        return "left the interrupt flag set";
      }
      nextSawInterrupt.set(Thread.currentThread().isInterrupted());
      return "undisturbed";
    }).build()));
    assertThat(engine.as(KEY).endpoint("rude").runSync(JobRequest.of("rude"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS)
        .status()).isEqualTo(Status.COMPLETED);
    JobStatus next = engine.as(KEY).endpoint("rude").runSync(JobRequest.of("next"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
    assertThat(nextSawInterrupt.get()).isFalse();
    assertThat(next.status()).isEqualTo(Status.COMPLETED);
    assertThat(next.output()).isEqualTo("undisturbed");
  }

  // ---- enormous outputs --------------------------------------------------------------------

  @Test
  void largeOutputsUnderTheLimitAreKeptWholeAndTheEngineGoesOn() throws Exception {
    Map<String, Object> hugeMap = new HashMap<>();
    for (int i = 0; i < 1_000_000; i++) {
      hugeMap.put("k" + i, i);
    }
    String hugeString = "x".repeat(32 * 1024 * 1024);
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("big").workers(2).handler(job ->
        switch ((String) job.input()) {
          case "string" -> hugeString;
          case "map" -> hugeMap;
          case "deep" -> deep(100_000);
          default -> "small";
        }).build()));
    for (String kind : List.of("string", "map", "deep")) {
      JobStatus done = engine.as(KEY).endpoint("big").runSync(JobRequest.of(kind), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      assertThat(done.status()).as(kind).isEqualTo(Status.COMPLETED);
    }
    String id = engine.as(KEY).endpoint("big").run(JobRequest.of("string")).id();
    await().atMost(Duration.ofSeconds(30)).until(() -> engine.as(KEY).endpoint("big").status(id).status() == Status.COMPLETED);
    assertThat((String) engine.as(KEY).endpoint("big").status(id).output()).hasSize(hugeString.length());
    assertThat(engine.as(KEY).endpoint("big").stream(id, Duration.ZERO).get(10, TimeUnit.SECONDS).stream()).hasSize(1);
    assertThat(engine.as(KEY).endpoint("big").runSync(JobRequest.of("small"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS)
        .output()).isEqualTo("small");
    assertThat(engine.as(KEY).endpoint("big").health().jobs().completed()).isEqualTo(5);
  }

  @Test
  void anOutputChunkOrProgressOverTheEndpointsLimitFailsTheJobWithAClearErrorAndTheWorkerGoesOn() throws Exception {
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("capped").workers(1)
        .maxOutputBytes(1024 * 1024).handler(job -> {
          switch ((String) job.input()) {
            case "string":
              return "x".repeat(2 * 1024 * 1024);
            case "map": {
              Map<String, Object> big = new HashMap<>();
              for (int i = 0; i < 200_000; i++) {
                big.put("k" + i, i);
              }
              return big;
            }
            case "progress":
              job.progress("p".repeat(2 * 1024 * 1024));
              return "unreached";
            default:
              return "small";
          }
        }).build()).endpoint(Endpoint.builder("capped-stream").workers(1).maxOutputBytes(1024)
        .streamingHandler((job, sink) -> {
          sink.emit("fine");
          sink.emit("y".repeat(4096));
        }).build()));

    for (String kind : List.of("string", "map", "progress")) {
      JobStatus failed = engine.as(KEY).endpoint("capped").runSync(JobRequest.of(kind), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      assertThat(failed.status()).as(kind).isEqualTo(Status.FAILED);
      assertThat(failed.error()).as(kind).contains("larger than endpoint 'capped' allows (maxOutputBytes 1048576");
      assertThat(failed.output()).as(kind).isNull();
    }
    JobStatus streamed = engine.as(KEY).endpoint("capped-stream").runSync(JobRequest.of(1), Duration.ofSeconds(60))
        .get(60, TimeUnit.SECONDS);
    assertThat(streamed.status()).isEqualTo(Status.FAILED);
    assertThat(streamed.error()).contains("stream chunk is larger than endpoint 'capped-stream' allows");
    assertThat(engine.as(KEY).endpoint("capped").runSync(JobRequest.of("small"), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS)
        .status()).isEqualTo(Status.COMPLETED);
    assertThat(engine.as(KEY).endpoint("capped").health().jobs()).isEqualTo(new Health.Jobs(1, 3, 0, 0, 0));
  }

  /** A list nested {@code depth} deep: an output no JSON writer would accept, held in process all the same. */
  private static List<Object> deep(int depth) {
    List<Object> root = new ArrayList<>();
    List<Object> current = root;
    for (int i = 0; i < depth; i++) {
      List<Object> next = new ArrayList<>();
      current.add(next);
      current = next;
    }
    return root;
  }

  @Test
  void aStreamOfTwoHundredThousandChunksIsDeliveredWholeAndAggregated() throws Exception {
    int chunks = 200_000;
    Runline engine = start(Engines.builder(time).endpoint(Endpoint.builder("firehose").workers(1)
        .returnAggregateStream(true)
        .streamingHandler((job, sink) -> {
          for (int i = 0; i < chunks; i++) {
            if (!sink.emit(i)) {
              return;
            }
          }
        }).build()));
    String id = engine.as(KEY).endpoint("firehose").run(JobRequest.of(1)).id();
    int read = 0;
    Status status = Status.IN_QUEUE;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!status.isTerminal() || read < chunks) {
      assertThat(System.nanoTime()).as("the stream was read in time").isLessThan(deadline);
      StreamBatch batch = engine.as(KEY).endpoint("firehose").stream(id, Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
      for (StreamBatch.Chunk chunk : batch.stream()) {
        assertThat(chunk.output()).isEqualTo(read);
        read++;
      }
      status = batch.status();
      if (status.isTerminal() && batch.stream().isEmpty()) {
        break;
      }
    }
    assertThat(read).isEqualTo(chunks);
    JobStatus done = engine.as(KEY).endpoint("firehose").status(id);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat((List<?>) done.output()).hasSize(chunks);
  }
}
