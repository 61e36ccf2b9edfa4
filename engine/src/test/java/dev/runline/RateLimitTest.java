package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static dev.runline.testing.Engines.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rate and concurrency limits: a token bucket per API key, endpoint and route, with the
 * defaults of the table in API.md; time comes only from {@link FakeTime}.
 */
class RateLimitTest {
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final List<Runline> engines = new ArrayList<>();

  @AfterEach
  void close() {
    gate.open();
    engines.forEach(Runline::close);
  }

  private Runline start(Endpoint... endpoints) {
    Runline engine = Engines.start(time, endpoints);
    engines.add(engine);
    return engine;
  }

  private static Endpoint.Builder echo(String name) {
    return Endpoint.builder(name).handler(job -> job.input()).workers(2);
  }

  /** Runs {@code call}, which must be refused by a limit with a positive retry-after. */
  private static RateLimitedException refused(ThrowingCall call) {
    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, call::run);
    assertThat(e).as("the call should have been refused by a rate limit").isNotNull();
    assertThat(e.reason()).isEqualTo(RunlineException.Reason.RATE_LIMITED);
    assertThat(e.retryAfter()).isPositive();
    return e;
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  // ---- defaults from the table ---------------------------------------------------------

  @Test
  void aBurstOf1000RunsPassesAtOnceAndThe1001stIsRefusedUntilOneTokenRefills() {
    Runline engine = start(echo("echo").build());
    for (int i = 0; i < 1000; i++) {
      assertThat(engine.as(KEY).endpoint("echo").run(JobRequest.of(i)).status()).isEqualTo(Status.IN_QUEUE);
    }

    Duration retryAfter = refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1000))).retryAfter();
    // 1000 tokens per 10 s: one token every 10 ms.
    assertThat(retryAfter).isBetween(Duration.ofMillis(9), Duration.ofMillis(10));

    time.advance(retryAfter);
    assertThat(engine.as(KEY).endpoint("echo").run(JobRequest.of(1001)).status()).isEqualTo(Status.IN_QUEUE);
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1002)));
  }

  static Stream<Arguments> defaultRequestLimits() {
    return Stream.of(
        Arguments.of(Route.RUN, 1000),
        Arguments.of(Route.RUNSYNC, 2000),
        Arguments.of(Route.STATUS, 2000),
        Arguments.of(Route.STATUS_SYNC, 2000),
        Arguments.of(Route.STREAM, 2000),
        Arguments.of(Route.CANCEL, 100),
        Arguments.of(Route.RETRY, 100),
        Arguments.of(Route.HEALTH, 100),
        Arguments.of(Route.PURGE_QUEUE, 2));
  }

  /** One call of {@code route}; calls on an unknown job id still count against the route's bucket. */
  private static void call(Runline engine, Route route, int i) throws Exception {
    switch (route) {
      case RUN -> engine.as(KEY).endpoint("echo").run(JobRequest.of(i));
      case RUNSYNC -> engine.as(KEY).endpoint("echo").runSync(JobRequest.of(i), Duration.ZERO);
      case STATUS -> expectNotFound(() -> engine.as(KEY).endpoint("echo").status("no-such-job"));
      case STATUS_SYNC -> expectNotFound(() -> engine.as(KEY).endpoint("echo").statusSync("no-such-job", Duration.ZERO));
      case STREAM -> expectNotFound(() -> engine.as(KEY).endpoint("echo").stream("no-such-job", Duration.ZERO));
      case CANCEL -> expectNotFound(() -> engine.as(KEY).endpoint("echo").cancel("no-such-job"));
      case RETRY -> expectNotFound(() -> engine.as(KEY).endpoint("echo").retry("no-such-job"));
      case HEALTH -> engine.as(KEY).endpoint("echo").health();
      case PURGE_QUEUE -> engine.as(KEY).endpoint("echo").purgeQueue();
      default -> throw new AssertionError(route);
    }
  }

  /** Runs a call on an unknown job: it answers NotFound once past the limiter (a refusal propagates). */
  private static void expectNotFound(ThrowingCall call) throws Exception {
    try {
      call.run();
    } catch (NotFoundException expected) {
      return;
    }
    throw new AssertionError("expected the unknown job to be not found");
  }

  @ParameterizedTest(name = "{0}: {1} per 10 s")
  @MethodSource("defaultRequestLimits")
  void eachRoutesDefaultBucketIsTheTablesNumberPer10Seconds(Route route, int perTenSeconds) throws Exception {
    Runline engine = start(echo("echo").build());
    assertThat(route.defaultLimit().requests()).isEqualTo(perTenSeconds);
    assertThat(route.defaultLimit().period()).isEqualTo(TEN_SECONDS);

    for (int i = 0; i < perTenSeconds; i++) {
      call(engine, route, i);
    }
    RateLimitedException refusal = refused(() -> call(engine, route, perTenSeconds));

    assertThat(refusal.getMessage()).contains("/" + route.path()).contains("'echo'");
    Duration oneToken = TEN_SECONDS.dividedBy(perTenSeconds);
    assertThat(refusal.retryAfter()).isBetween(oneToken.minusMillis(1), oneToken);
    time.advance(refusal.retryAfter());
    call(engine, route, perTenSeconds + 1);
  }

  @Test
  void purgeQueueAllowsTwoCallsPer10SecondsByDefault() {
    Runline engine = start(echo("echo").build());
    assertThat(engine.as(KEY).endpoint("echo").purgeQueue().removed()).isZero();
    assertThat(engine.as(KEY).endpoint("echo").purgeQueue().removed()).isZero();

    Duration retryAfter = refused(() -> engine.as(KEY).endpoint("echo").purgeQueue()).retryAfter();
    assertThat(retryAfter).isBetween(Duration.ofMillis(4_999), Duration.ofSeconds(5));

    time.advance(Duration.ofMillis(4_900));
    refused(() -> engine.as(KEY).endpoint("echo").purgeQueue());
    time.advance(Duration.ofMillis(100));
    assertThat(engine.as(KEY).endpoint("echo").purgeQueue().status()).isEqualTo("completed");
  }

  // ---- a configured limit --------------------------------------------------------------

  @Test
  void aKeyOverItsRunLimitIsRefusedWithRetryAfterAndPassesOnceATokenRefilled() {
    Runline engine = start(echo("echo").limit(Route.RUN, RouteLimit.of(3, TEN_SECONDS, 0)).build());
    for (int i = 0; i < 3; i++) {
      engine.as(KEY).endpoint("echo").run(JobRequest.of(i));
    }

    Duration retryAfter = refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(3))).retryAfter();
    // 3 tokens per 10 s: one every 3.33 s.
    assertThat(retryAfter).isBetween(Duration.ofMillis(3_333), Duration.ofMillis(3_334));

    time.advance(Duration.ofSeconds(3));
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(3)));
    time.advance(Duration.ofMillis(334));
    assertThat(engine.as(KEY).endpoint("echo").run(JobRequest.of(3)).status()).isEqualTo(Status.IN_QUEUE);
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(4)));

    time.advance(TEN_SECONDS);
    for (int i = 0; i < 3; i++) {
      engine.as(KEY).endpoint("echo").run(JobRequest.of(10 + i));
    }
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(13)));
  }

  @Test
  void limitsAreKeptPerApiKey() {
    Runline engine = start(echo("echo").limit(Route.RUN, RouteLimit.of(3, TEN_SECONDS, 0)).build());
    for (int i = 0; i < 3; i++) {
      engine.as(KEY).endpoint("echo").run(JobRequest.of(i));
    }
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(3)));

    for (int i = 0; i < 3; i++) {
      assertThat(engine.as(OTHER_KEY).endpoint("echo").run(JobRequest.of(i)).status()).isEqualTo(Status.IN_QUEUE);
    }
    refused(() -> engine.as(OTHER_KEY).endpoint("echo").run(JobRequest.of(3)));
  }

  @Test
  void limitsAreKeptPerRouteSoStatusPassesWhenRunIsExhausted() {
    Runline engine = start(echo("echo").limit(Route.RUN, RouteLimit.of(3, TEN_SECONDS, 0)).build());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(engine.as(KEY).endpoint("echo").run(JobRequest.of(i)).id());
    }
    refused(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(3)));

    for (String id : ids) {
      assertThat(engine.as(KEY).endpoint("echo").status(id).id()).isEqualTo(id);
    }
    assertThat(engine.as(KEY).endpoint("echo").health()).isNotNull();
    assertThat(engine.as(KEY).endpoint("echo").purgeQueue().status()).isEqualTo("completed");
  }

  @Test
  void limitsAreKeptPerEndpoint() {
    RouteLimit three = RouteLimit.of(3, TEN_SECONDS, 0);
    Runline engine = start(echo("a").limit(Route.RUN, three).build(), echo("b").limit(Route.RUN, three).build());
    for (int i = 0; i < 3; i++) {
      engine.as(KEY).endpoint("a").run(JobRequest.of(i));
    }
    refused(() -> engine.as(KEY).endpoint("a").run(JobRequest.of(3)));

    for (int i = 0; i < 3; i++) {
      assertThat(engine.as(KEY).endpoint("b").run(JobRequest.of(i)).status()).isEqualTo(Status.IN_QUEUE);
    }
    refused(() -> engine.as(KEY).endpoint("b").run(JobRequest.of(3)));
  }

  @Test
  void aRefusedCallQueuesNothing() {
    Runline engine = start(Endpoint.builder("gated").handler(gate).workers(1)
        .limit(Route.RUN, RouteLimit.of(3, TEN_SECONDS, 0))
        .limit(Route.RUNSYNC, RouteLimit.of(1, TEN_SECONDS, 0))
        .build());
    String first = engine.as(KEY).endpoint("gated").run(JobRequest.of(0)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(first));
    engine.as(KEY).endpoint("gated").run(JobRequest.of(1));
    engine.as(KEY).endpoint("gated").run(JobRequest.of(2));
    CompletableFuture<JobStatus> sync = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(3), Duration.ofSeconds(60));
    Health before = engine.as(KEY).endpoint("gated").health();
    assertThat(before.jobs().inQueue()).isEqualTo(3);

    refused(() -> engine.as(KEY).endpoint("gated").run(JobRequest.of(4)));
    refused(() -> engine.as(KEY).endpoint("gated").runSync(JobRequest.of(5), Duration.ofSeconds(60)));

    Health after = engine.as(KEY).endpoint("gated").health();
    assertThat(after.jobs()).isEqualTo(before.jobs());
    gate.open();
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.isDone());
    assertThat(sync.join().status()).isEqualTo(Status.COMPLETED);
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().completed()).isEqualTo(4);
    assertThat(gate.starts).hasSize(4);
  }

  // ---- the concurrency column ----------------------------------------------------------

  @Test
  void aSecondRunSyncWhileTheFirstStillWaitsIsRefusedAndPassesOnceTheFirstCompletes() throws Exception {
    Runline engine = start(Endpoint.builder("gated").handler(gate).workers(1)
        .limit(Route.RUNSYNC, RouteLimit.of(100, TEN_SECONDS, 1)).build());
    CompletableFuture<JobStatus> first = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(1), Duration.ofSeconds(90));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.size() == 1);

    RateLimitedException refusal =
        refused(() -> engine.as(KEY).endpoint("gated").runSync(JobRequest.of(2), Duration.ofSeconds(90)));
    assertThat(refusal.getMessage()).contains("concurrent").contains("/runsync");
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isZero();
    // Another key has its own place in flight.
    CompletableFuture<JobStatus> others =
        engine.as(OTHER_KEY).endpoint("gated").runSync(JobRequest.of(Map.of("pass", true)), Duration.ofSeconds(90));

    gate.open();
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.COMPLETED);
    assertThat(others.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.COMPLETED);
    // The place is given back as the answer completes (on the worker's thread), so allow a moment.
    CompletableFuture<JobStatus> next = await().atMost(Duration.ofSeconds(10))
        .ignoreException(RateLimitedException.class)
        .until(() -> engine.as(KEY).endpoint("gated").runSync(JobRequest.of(3), Duration.ofSeconds(90)), f -> f != null);
    assertThat(next.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aRunSyncWhoseWaitPassedGivesBackItsPlaceThoughTheJobStillRuns() throws Exception {
    Runline engine = start(Endpoint.builder("gated").handler(gate).workers(1)
        .limit(Route.RUNSYNC, RouteLimit.of(100, TEN_SECONDS, 1)).build());
    CompletableFuture<JobStatus> first = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(1), Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.starts.size() == 1);
    refused(() -> engine.as(KEY).endpoint("gated").runSync(JobRequest.of(2), Duration.ofSeconds(5)));

    time.advance(Duration.ofSeconds(5));
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.IN_PROGRESS);
    CompletableFuture<JobStatus> second = engine.as(KEY).endpoint("gated").runSync(JobRequest.of(3), Duration.ofSeconds(5));
    assertThat(second).isNotDone();

    gate.open();
    assertThat(second.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void atMost400RunSyncCallsOfOneKeyWaitAtOnceByDefault() throws Exception {
    Runline engine = start(Endpoint.builder("gated").handler(gate).workers(1).build());
    assertThat(Route.RUNSYNC.defaultLimit().concurrent()).isEqualTo(400);
    List<CompletableFuture<JobStatus>> waiting = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      waiting.add(engine.as(KEY).endpoint("gated").runSync(JobRequest.of(i), Duration.ofSeconds(90)));
    }

    refused(() -> engine.as(KEY).endpoint("gated").runSync(JobRequest.of(400), Duration.ofSeconds(90)));
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue() + engine.as(KEY).endpoint("gated").health().jobs().inProgress())
        .isEqualTo(400);

    gate.open();
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(waiting).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(Status.COMPLETED));
  }

  // ---- switching limits off ------------------------------------------------------------

  @Test
  void unlimitedSwitchesEveryRateAndConcurrencyLimitOff() throws Exception {
    Runline engine = start(Endpoint.builder("open").handler(gate).workers(1).unlimited().build());
    String atTheGate = engine.as(KEY).endpoint("open").run(JobRequest.of(-1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(atTheGate));
    List<CompletableFuture<JobStatus>> waiting = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      engine.as(KEY).endpoint("open").run(JobRequest.of(i));
    }
    for (int i = 0; i < 500; i++) {
      waiting.add(engine.as(KEY).endpoint("open").runSync(JobRequest.of(i), Duration.ofSeconds(90)));
    }
    for (int i = 0; i < 150; i++) {
      expectNotFound(() -> engine.as(KEY).endpoint("open").cancel("no-such-job"));
      expectNotFound(() -> engine.as(KEY).endpoint("open").retry("no-such-job"));
      engine.as(KEY).endpoint("open").health();
    }
    for (int i = 0; i < 2_500; i++) {
      expectNotFound(() -> engine.as(KEY).endpoint("open").status("no-such-job"));
    }
    for (int i = 0; i < 5; i++) {
      engine.as(KEY).endpoint("open").purgeQueue();
    }

    assertThat(waiting).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(waiting.get(0).join().status()).isEqualTo(Status.CANCELLED);
    assertThat(engine.as(KEY).endpoint("open").health().jobs().inQueue() + engine.as(KEY).endpoint("open").health().jobs().inProgress())
        .as("the purges cancelled every queued job; only the one at the gate remains")
        .isEqualTo(1);
  }
}
