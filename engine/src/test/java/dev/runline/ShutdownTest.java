package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.Gate;
import dev.runline.testing.PausingClock;
import dev.runline.testing.ThreadsBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Runline#close()}: intake stops, queued jobs are drained or cancelled, jobs still running
 * when the shutdown timeout passes are cancelled and interrupted, every accepted job ends in
 * exactly one terminal state, and the engine's threads stop.
 *
 * <p>The shutdown timeout is measured on the real clock (close blocks its caller, so manual time
 * could not move meanwhile); everything else runs on {@link FakeTime}.
 */
class ShutdownTest {
  private final FakeTime time = new FakeTime();
  private final Gate gate = new Gate();
  private final List<Runline> engines = new ArrayList<>();

  @AfterEach
  void close() {
    gate.open();
    engines.forEach(Runline::close);
  }

  private Runline start(ShutdownMode mode, Duration shutdownTimeout) {
    Runline engine = Engines.builder(time)
        .shutdownMode(mode)
        .shutdownTimeout(shutdownTimeout)
        .endpoint(Endpoint.builder("gated").handler(gate).workers(1).build())
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(2).build())
        .build();
    engines.add(engine);
    return engine;
  }

  /** Closes {@code engine} on a thread of its own; the future completes when close() returns. */
  private static CompletableFuture<Void> closeInBackground(Runline engine) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Thread closer = new Thread(() -> {
      try {
        engine.close();
        closed.complete(null);
      } catch (Throwable e) {
        closed.completeExceptionally(e);
      }
    }, "test-closer");
    closer.setDaemon(true);
    closer.start();
    return closed;
  }

  /**
   * Waits until {@code engine} has begun closing, i.e. refuses new jobs. Probe jobs it still
   * accepted before that are added to {@code accepted}.
   */
  private static void awaitIntakeStopped(Runline engine, String endpoint, List<String> accepted) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        accepted.add(engine.as(KEY).endpoint(endpoint).run(JobRequest.of(Map.of("pass", true))).id());
        return false;
      } catch (EngineClosedException e) {
        return true;
      }
    });
  }

  private String startBlocker(Runline engine) {
    String blocker = engine.as(KEY).endpoint("gated").run(JobRequest.of("blocker")).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.started(blocker));
    return blocker;
  }

  /** Records every terminal notification of the jobs it is subscribed to. */
  private static final class TerminalLog {
    final Map<String, List<JobStatus>> terminals = new ConcurrentHashMap<>();

    void follow(Runline engine, String endpoint, String id) {
      engine.as(KEY).endpoint(endpoint).subscribe(id, new StreamListener() {
        @Override
        public void onChunk(Object chunk) {}

        @Override
        public void onTerminal(JobStatus status) {
          terminals.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(status);
        }
      });
    }

    List<JobStatus> of(String id) {
      return terminals.getOrDefault(id, List.of());
    }
  }

  @Test
  void drainIsTheDefaultMode() {
    Runline engine = Runline.builder().time(time).timers(time).backend(ThreadsBackend.provider()).executor(Runnable::run)
        .endpoint(Endpoint.builder("gated").handler(gate).workers(1).build()).build();
    engines.add(engine);
    String blocker = startBlocker(engine);
    String queued = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();

    CompletableFuture<Void> closing = closeInBackground(engine);
    awaitIntakeStopped(engine, "gated", new ArrayList<>());
    gate.open();
    closing.orTimeout(20, TimeUnit.SECONDS).join();

    assertThat(engine.as(KEY).endpoint("gated").status(blocker).status()).isEqualTo(Status.COMPLETED);
    assertThat(engine.as(KEY).endpoint("gated").status(queued).status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void drainRunsEveryQueuedJobBeforeCloseReturns() throws Exception {
    Runline engine = start(ShutdownMode.DRAIN, Duration.ofSeconds(20));
    List<String> accepted = new CopyOnWriteArrayList<>();
    accepted.add(startBlocker(engine));
    for (int i = 0; i < 5; i++) {
      accepted.add(engine.as(KEY).endpoint("gated").run(JobRequest.of(i)).id());
    }
    CompletableFuture<JobStatus> sync = engine.as(KEY).endpoint("gated").runSync(JobRequest.of("sync"), Duration.ofSeconds(90));
    assertThat(engine.as(KEY).endpoint("gated").health().jobs().inQueue()).isEqualTo(6);

    CompletableFuture<Void> closing = closeInBackground(engine);
    awaitIntakeStopped(engine, "gated", accepted);
    assertThat(closing).as("close() waits for the queued jobs").isNotDone();
    gate.open();
    closing.get(20, TimeUnit.SECONDS);

    for (String id : accepted) {
      assertThat(engine.as(KEY).endpoint("gated").status(id).status()).as(id).isEqualTo(Status.COMPLETED);
      assertThat(gate.startsOf(id)).as(id).isEqualTo(1);
    }
    assertThat(sync).isCompleted();
    assertThat(sync.join().status()).isEqualTo(Status.COMPLETED);
    assertThat(sync.join().output()).isEqualTo("sync");
    Health health = engine.as(KEY).endpoint("gated").health();
    assertThat(health.jobs().inQueue()).isZero();
    assertThat(health.jobs().inProgress()).isZero();
    assertThat(health.jobs().completed()).isEqualTo(accepted.size() + 1);
  }

  @Test
  void cancelModeEndsQueuedJobsCancelledWithoutStartingThem() throws Exception {
    Runline engine = start(ShutdownMode.CANCEL, Duration.ofSeconds(20));
    TerminalLog log = new TerminalLog();
    String blocker = startBlocker(engine);
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = engine.as(KEY).endpoint("gated").run(JobRequest.of(i)).id();
      queued.add(id);
      log.follow(engine, "gated", id);
    }
    CompletableFuture<JobStatus> sync = engine.as(KEY).endpoint("gated").runSync(JobRequest.of("sync"), Duration.ofSeconds(90));

    CompletableFuture<Void> closing = closeInBackground(engine);
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.isDone()
        && queued.stream().allMatch(id -> engine.as(KEY).endpoint("gated").status(id).status() == Status.CANCELLED));
    assertThat(closing).as("the running job gets the shutdown timeout to finish").isNotDone();
    gate.open();
    closing.get(20, TimeUnit.SECONDS);

    assertThat(engine.as(KEY).endpoint("gated").status(blocker).status()).isEqualTo(Status.COMPLETED);
    JobStatus syncStatus = sync.join();
    assertThat(syncStatus.status()).isEqualTo(Status.CANCELLED);
    assertThat(gate.started(syncStatus.id())).isFalse();
    for (String id : queued) {
      JobStatus status = engine.as(KEY).endpoint("gated").status(id);
      assertThat(status.status()).as(id).isEqualTo(Status.CANCELLED);
      assertThat(status.error()).as(id).contains("shut down");
      assertThat(status.workerId()).as(id).isNull();
      assertThat(gate.started(id)).as(id).isFalse();
      assertThat(log.of(id)).as(id).singleElement()
          .satisfies(s -> assertThat(s.status()).isEqualTo(Status.CANCELLED));
    }
    assertThat(gate.starts).containsOnlyKeys(blocker);
  }

  @Test
  void aJobRunningPastTheShutdownTimeoutEndsCancelledAndItsHandlerIsInterrupted() {
    Runline engine = start(ShutdownMode.CANCEL, Duration.ofMillis(200));
    String blocker = startBlocker(engine);

    engine.close();

    JobStatus status = engine.as(KEY).endpoint("gated").status(blocker);
    assertThat(status.status()).isEqualTo(Status.CANCELLED);
    assertThat(status.error()).contains("shut down");
    assertThat(gate.interrupted).containsEntry(blocker, true);
    assertThat(gate.startsOf(blocker)).isEqualTo(1);
  }

  @Test
  void drainCancelsWhatIsStillQueuedOrRunningWhenTheShutdownTimeoutPasses() {
    Runline engine = start(ShutdownMode.DRAIN, Duration.ofMillis(200));
    String blocker = startBlocker(engine);
    String queued = engine.as(KEY).endpoint("gated").run(JobRequest.of(1)).id();

    engine.close();

    assertThat(engine.as(KEY).endpoint("gated").status(blocker).status()).isEqualTo(Status.CANCELLED);
    assertThat(gate.interrupted).containsEntry(blocker, true);
    assertThat(engine.as(KEY).endpoint("gated").status(queued).status()).isEqualTo(Status.CANCELLED);
    assertThat(gate.started(queued)).isFalse();
    Health health = engine.as(KEY).endpoint("gated").health();
    assertThat(health.jobs().inQueue()).isZero();
    assertThat(health.jobs().inProgress()).isZero();
  }

  @Test
  void afterCloseRunAndRunSyncAreRefused() {
    Runline engine = start(ShutdownMode.DRAIN, Duration.ofSeconds(5));
    engine.close();

    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1)))
        .isInstanceOf(EngineClosedException.class)
        .hasMessageContaining("shutting down");
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").runSync(JobRequest.of(1), Duration.ofSeconds(1)))
        .isInstanceOf(EngineClosedException.class);
    assertThat(engine.as(KEY).endpoint("echo").health().jobs().inQueue()).isZero();
    assertThat(catchThrowableOfType(EngineClosedException.class, () -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1)))
        .reason()).isEqualTo(RunlineException.Reason.ENGINE_CLOSED);
  }

  @Test
  void afterCloseAFailedJobCannotBeRetried() {
    Runline engine = Engines.builder(time)
        .endpoint(Endpoint.builder("fail").handler(job -> {
          throw new IllegalStateException("no");
        }).workers(1).build())
        .build();
    engines.add(engine);
    String id = engine.as(KEY).endpoint("fail").run(JobRequest.of(1)).id();
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.as(KEY).endpoint("fail").status(id).status() == Status.FAILED);

    engine.close();

    assertThatThrownBy(() -> engine.as(KEY).endpoint("fail").retry(id)).isInstanceOf(EngineClosedException.class);
    assertThat(engine.as(KEY).endpoint("fail").status(id).status()).isEqualTo(Status.FAILED);
  }

  @Test
  void afterCloseNoRunlineThreadIsAlive() {
    // Real time and the engine's own timer thread, so every thread the engine may start exists.
    Runline engine = Runline.builder()
        .backend(ThreadsBackend.provider())
        .endpoint(Endpoint.builder("threads-a").handler(job -> job.input()).workers(2).build())
        .endpoint(Endpoint.builder("threads-b").handler(job -> job.input()).workers(2).build())
        .build();
    engines.add(engine);
    engine.as(null).endpoint("threads-a").runSync(JobRequest.of(1), Duration.ofSeconds(10)).orTimeout(10, TimeUnit.SECONDS).join();
    engine.as(null).endpoint("threads-b").runSync(JobRequest.of(1), Duration.ofSeconds(10)).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(runlineThreads()).anyMatch(name -> name.startsWith("runline-threads-a-"))
        .anyMatch(name -> name.startsWith("runline-threads-b-"))
        .anyMatch(name -> name.startsWith("runline-timer-"));

    engine.close();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(runlineThreads()).isEmpty());
  }

  private static List<String> runlineThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("runline-"))
        .sorted()
        .collect(Collectors.toList());
  }

  @Test
  void closingTwiceIsHarmless() {
    Runline engine = start(ShutdownMode.DRAIN, Duration.ofSeconds(5));
    String id = engine.as(KEY).endpoint("echo").run(JobRequest.of("x")).id();
    engine.close();
    JobStatus after = engine.as(KEY).endpoint("echo").status(id);
    assertThat(after.status()).isEqualTo(Status.COMPLETED);

    assertThatCode(engine::close).doesNotThrowAnyException();

    assertThat(engine.as(KEY).endpoint("echo").status(id)).isEqualTo(after);
    assertThatThrownBy(() -> engine.as(KEY).endpoint("echo").run(JobRequest.of(1))).isInstanceOf(EngineClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(ShutdownMode.class)
  void everyAcceptedJobReachesExactlyOneTerminalState(ShutdownMode mode) {
    Runline engine = start(mode, Duration.ofMillis(300));
    TerminalLog log = new TerminalLog();
    Map<String, String> accepted = new ConcurrentHashMap<>();
    // Done before close, running at close (and past the timeout), queued behind it, and on another endpoint.
    for (int i = 0; i < 3; i++) {
      String id = engine.as(KEY).endpoint("echo").run(JobRequest.of(i)).id();
      accepted.put(id, "echo");
    }
    String blocker = startBlocker(engine);
    accepted.put(blocker, "gated");
    for (int i = 0; i < 4; i++) {
      accepted.put(engine.as(KEY).endpoint("gated").run(JobRequest.of(i)).id(), "gated");
    }
    String sync = engine.as(KEY).endpoint("gated").runSync(JobRequest.of("s"), Duration.ZERO).join().id();
    accepted.put(sync, "gated");
    accepted.forEach((id, endpoint) -> log.follow(engine, endpoint, id));

    engine.close();

    accepted.forEach((id, endpoint) -> {
      assertThat(engine.as(KEY).endpoint(endpoint).status(id).status().isTerminal()).as(id).isTrue();
      assertThat(log.of(id)).as(id).hasSize(1);
      assertThat(log.of(id).get(0)).as(id).isEqualTo(engine.as(KEY).endpoint(endpoint).status(id));
      assertThat(gate.startsOf(id)).as(id).isLessThanOrEqualTo(1);
    });
    for (String endpoint : List.of("echo", "gated")) {
      Health.Jobs jobs = engine.as(KEY).endpoint(endpoint).health().jobs();
      assertThat(jobs.inQueue()).as(endpoint).isZero();
      assertThat(jobs.inProgress()).as(endpoint).isZero();
    }
  }

  /**
   * A run() call already past its admission checks when close() begins (here held at the clock
   * read where it stamps the new job) must either be refused or end in a terminal state: the
   * contract is that every accepted job reaches one.
   */
  @ParameterizedTest
  @EnumSource(ShutdownMode.class)
  void aRunInFlightWhenCloseBeginsIsRefusedOrReachesATerminalState(ShutdownMode mode) throws Exception {
    PausingClock ticker = new PausingClock(time);
    Runline engine = Engines.builder(time)
        .time(ticker)
        .shutdownMode(mode)
        .shutdownTimeout(Duration.ofMillis(200))
        .endpoint(Endpoint.builder("echo").handler(job -> job.input()).workers(2).unlimited().build())
        .build();
    engines.add(engine);
    CompletableFuture<Object> call = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      ticker.pauseMyNextRead();
      try {
        call.complete(engine.as(KEY).endpoint("echo").run(JobRequest.of("late")));
      } catch (Throwable e) {
        call.complete(e);
      }
    }, "test-late-caller");
    caller.setDaemon(true);
    caller.start();
    assertThat(ticker.awaitPaused(Duration.ofSeconds(10))).as("the caller reached the engine's clock").isTrue();

    // close() begins while the caller is inside run(): it must wait for that admission.
    CompletableFuture<Void> closing = CompletableFuture.runAsync(engine::close);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        engine.as(KEY).endpoint("echo").run(JobRequest.of("probe"));
        return false;
      } catch (EngineClosedException refused) {
        return true;
      }
    });
    assertThat(closing).as("close() waits for the admission in flight").isNotDone();
    ticker.resume();
    closing.get(10, TimeUnit.SECONDS);

    Object outcome = call.get(10, TimeUnit.SECONDS);
    if (outcome instanceof Throwable refusal) {
      assertThat(refusal).isInstanceOf(EngineClosedException.class);
    } else {
      String id = ((JobStatus) outcome).id();
      await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
          assertThat(engine.as(KEY).endpoint("echo").status(id).status().isTerminal())
              .as("the accepted job %s is %s after close()", id, engine.as(KEY).endpoint("echo").status(id).status())
              .isTrue());
      assertThat(engine.as(KEY).endpoint("echo").health().jobs().inQueue()).isZero();
    }
  }
}
