package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runline.spi.Attempt;
import dev.runline.spi.JobId;
import dev.runline.spi.QueuedJob;
import dev.runline.testing.DirectIntake;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.MapJobStore;
import dev.runline.testing.SteppingBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * The state machine's races, model-checked: Lincheck runs each scenario's threads under
 * every interleaving of their shared-memory steps it can reach (within the invocations
 * given), and each interleaving must keep the invariant: exactly one change wins, every
 * attempt ends once, {@code /health} and the listeners agree with the job.
 *
 * <p>Each scenario builds its engine inside the test body, with no thread or timer wheel of
 * its own (a stepping backend, a direct intake, a manual clock, a job store on a plain
 * concurrent map whose expiry the scenario triggers), so the threads that race are exactly
 * the scenario's and the steps explored are the engine's. Assertions are JUnit's: the model checker compares objects by equality,
 * which AssertJ's assertions refuse. {@code runline.races.invocations} sets how many
 * interleavings each scenario explores (200 by default).
 */
class JobRacesTest {
  private static final int INVOCATIONS = Integer.getInteger("runline.races.invocations", 200);
  private static final Duration TIMEOUT = Policy.MIN_EXECUTION_TIMEOUT;
  private static final Duration TTL = Policy.MIN_TTL;

  static {
    // Job ids come from a strong generator whose seeding starts threads: seed it before the
    // model checker, which runs only the scenario's own threads.
    JobId.random(false);
  }

  /** One engine with one stepped endpoint, and what its listener heard. */
  static final class World {
    final FakeTime time = new FakeTime();
    final SteppingBackend backend = new SteppingBackend("stepped");
    final Map<String, AtomicInteger> ends = new ConcurrentHashMap<>();
    final MapJobStore[] store = new MapJobStore[1];
    final Runline engine;
    final EndpointClient e;

    World() {
      engine = Engines.builder(time)
          .backend(backend.provider())
          .intake(DirectIntake.factory())
          .jobStore(MapJobStore.factory(opened -> store[0] = opened))
          .listener((endpoint, status) -> ends.computeIfAbsent(status.id() + "#" + retries(status), k -> new AtomicInteger())
              .incrementAndGet())
          .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped").unlimited()
              .defaultPolicy(new Policy(TIMEOUT, TTL, false)).build())
          .build();
      e = engine.as(KEY).endpoint("e");
    }

    static int retries(JobStatus status) {
      return status.retries() == null ? 0 : status.retries();
    }

    int endsOf(String id, int retries) {
      AtomicInteger n = ends.get(id + "#" + retries);
      return n == null ? 0 : n.get();
    }

    Health.Jobs counts() {
      return engine.inspect().health("e").jobs();
    }

    /**
     * Starts the job on {@code worker} and moves the clock past its execution timeout without
     * running the watch that would end it: the scenario ends it by {@link #timeOut}, in the race.
     */
    Attempt startAndOverrun(String worker) {
      Attempt attempt = backend.startNext(worker);
      time.jump(TIMEOUT.plusMillis(20));
      return attempt;
    }

    /** What the execution-timeout watch does to an overdue job. */
    void timeOut(String id) {
      ((RunlineEngine) engine).find(JobId.parse(id)).transition(Transitions.TIME_OUT);
    }

    void assertSettled() {
      Health.Jobs jobs = counts();
      assertEquals(0, jobs.inQueue(), "queued after the race");
      assertEquals(0, jobs.inProgress(), "running after the race");
    }
  }

  /** Runs {@code a} and {@code b} on two threads and waits for both. */
  static void race(Runnable a, Runnable b) {
    Thread one = new Thread(a);
    Thread two = new Thread(b);
    one.start();
    two.start();
    try {
      one.join();
      two.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void cancelAgainstStartEitherNeverStartsTheJobOrCancelsTheStartedAttempt() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      QueuedJob job = w.backend.next();
      Object[] started = new Object[1];

      race(() -> started[0] = job.start("w"), () -> w.e.cancel(id));

      @SuppressWarnings("unchecked")
      Optional<Attempt> attempt = (Optional<Attempt>) started[0];
      assertEquals(Status.CANCELLED, w.e.status(id).status());
      attempt.ifPresent(a -> assertTrue(a.isCancelled(), "a started attempt was cancelled"));
      assertEquals(1, w.endsOf(id, 0), "the end is told once");
      w.assertSettled();
    });
  }

  @Test
  void completeAgainstTheExecutionTimeoutEndsTheAttemptOnceEitherWay() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      Attempt attempt = w.startAndOverrun("w");

      race(() -> attempt.complete("out"), () -> w.timeOut(id));

      JobStatus end = w.e.status(id);
      assertTrue(end.status() == Status.COMPLETED && "out".equals(end.output())
          || end.status() == Status.TIMED_OUT && end.output() == null, "one end: " + end);
      assertEquals(1, w.endsOf(id, 0), "the end is told once");
      Health.Jobs jobs = w.counts();
      assertEquals(1, jobs.completed() + jobs.failed(), "counted once");
      w.assertSettled();
    });
  }

  @Test
  void aLateCompleteAgainstTimeoutAndRetryNeverEndsTheNextAttempt() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      Attempt first = w.startAndOverrun("w1");

      race(() -> first.complete("late"), () -> {
        w.timeOut(id);
        if (w.e.status(id).status() == Status.TIMED_OUT) {
          w.e.retry(id);
          w.backend.startNext("w2");
        }
      });

      JobStatus now = w.e.status(id);
      if (now.status() == Status.COMPLETED) {
        assertEquals(null, now.retries(), "only the first attempt may complete with the late output");
        assertEquals("late", now.output());
      } else {
        assertEquals(Status.IN_PROGRESS, now.status());
        assertEquals("w2", now.workerId());
        assertEquals(0, w.endsOf(id, 1), "the second attempt is still running");
      }
      assertEquals(1, w.endsOf(id, 0), "the first attempt ended once");
    });
  }

  @Test
  void purgeAgainstStartEitherPurgesTheJobOrLetsItRun() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      QueuedJob job = w.backend.next();
      Object[] started = new Object[1];
      long[] purged = new long[1];

      race(() -> started[0] = job.start("w"), () -> purged[0] = w.e.purgeQueue().removed());

      boolean ran = ((Optional<?>) started[0]).isPresent();
      assertNotEquals(ran, purged[0] == 1, "exactly one of start and purge took the job");
      assertEquals(ran ? Status.IN_PROGRESS : Status.CANCELLED, w.e.status(id).status());
      assertEquals(ran ? 1 : 0, w.counts().inProgress());
      assertEquals(0, w.counts().inQueue());
    });
  }

  @Test
  void theTtlAgainstCompleteEndsTheJobOnceEitherRemovedOrKept() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      Attempt attempt = w.backend.startNext("w");

      race(() -> attempt.complete("out"), () -> w.store[0].expireNow(id));

      Status end;
      try {
        end = w.e.status(id).status();
        assertEquals(Status.COMPLETED, end, "a job still found completed before its ttl passed");
      } catch (NotFoundException gone) {
        end = Status.TIMED_OUT;
      }
      assertEquals(1, w.endsOf(id, 0), "the end is told once");
      Health.Jobs jobs = w.counts();
      assertEquals(end == Status.COMPLETED ? 1 : 0, jobs.completed());
      assertEquals(end == Status.TIMED_OUT ? 1 : 0, jobs.failed());
      w.assertSettled();
    });
  }

  @Test
  void twoRacingEndsOfOneAttemptCountOnce() {
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      World w = new World();
      String id = w.e.run(JobRequest.of("x")).id();
      Attempt attempt = w.backend.startNext("w");

      race(() -> attempt.complete("a"), () -> attempt.fail(new IllegalStateException("b")));

      JobStatus end = w.e.status(id);
      assertTrue(List.of(Status.COMPLETED, Status.FAILED).contains(end.status()));
      assertEquals(1, w.endsOf(id, 0));
      assertEquals(1, w.counts().completed() + w.counts().failed());
    });
  }
}
