package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Any sequence of operations on an engine (run and runSync with or without a
 * short ttl or execution timeout and priority, cancel, retry, purge, status under either key,
 * handlers told to complete or fail, the clock moved forward) keeps the state machine's
 * invariants. After every operation, once the engine is settled (each worker either idle or
 * blocked in a handler that waits for the test), the test checks:
 *
 * <ul>
 *   <li>each job is in exactly one state, reached by an allowed transition from the one seen
 *       before; a job no longer found ended TIMED_OUT by its ttl;
 *   <li>each attempt ended at most once, and its handler ran at most once;
 *   <li>{@code /health} equals a recount: queued, running, completed, failed, retried;
 *   <li>what is determined is what happened: a cancel of a live job cancels it, a retry
 *       works exactly on FAILED and TIMED_OUT jobs, a purge removes exactly the caller's
 *       queued jobs, a released handler completes or fails its job, another key sees nothing.
 * </ul>
 *
 * <p>Each endpoint has one worker, whose handler blocks until the sequence releases it, so
 * each step's outcome does not depend on thread timing. The sequences are drawn from a seeded
 * {@link Random}, one seed per sequence, so a failing one is named by its seed and runs again
 * alone with {@code -Drunline.statemachine.seed=<seed> -Drunline.statemachine.sequences=1}.
 * {@code runline.statemachine.sequences} sets how many (500 by default, 5000 with
 * {@code -Pfull}).
 */
class StateMachinePropertiesTest {
  private static final List<String> ENDPOINT_SUFFIXES = List.of("a", "b");
  private static final List<String> KEYS = List.of(Engines.KEY, Engines.OTHER_KEY);
  private static final Set<Status> TERMINAL = EnumSet.of(Status.COMPLETED, Status.FAILED, Status.CANCELLED,
      Status.TIMED_OUT);
  private static final AtomicInteger SEQUENCES = new AtomicInteger();

  // ---- operations ----------------------------------------------------------------------

  sealed interface Op permits Run, Cancel, Retry, Purge, Advance, Release, Read {}

  record Run(int endpoint, int key, int ttlSeconds, int timeoutSeconds, boolean low, boolean sync) implements Op {}

  record Cancel(int job, boolean otherKey) implements Op {}

  record Retry(int job) implements Op {}

  record Purge(int endpoint, int key) implements Op {}

  record Advance(long millis) implements Op {}

  record Release(int job, boolean succeed) implements Op {}

  record Read(int job, boolean otherKey, boolean shortenTtl) implements Op {}

  private static final long SEED = Long.getLong("runline.statemachine.seed", 20261201L);
  private static final int SEQUENCES_TO_RUN = Integer.getInteger("runline.statemachine.sequences", 500);

  /** A sequence of 1 to 30 operations, drawn with the weights of how often each happens. */
  static List<Op> sequence(Random random) {
    List<Op> ops = new ArrayList<>();
    int length = 1 + random.nextInt(30);
    for (int i = 0; i < length; i++) {
      ops.add(op(random));
    }
    return ops;
  }

  private static Op op(Random random) {
    int jobs = 41;
    int pick = random.nextInt(20);
    if (pick < 6) {
      return new Run(random.nextInt(2), random.nextInt(2), oneOf(random, 0, 0, 10, 20), oneOf(random, 0, 0, 5, 8),
          random.nextInt(3) == 0, random.nextBoolean());
    } else if (pick < 8) {
      return new Cancel(random.nextInt(jobs), random.nextInt(3) == 0);
    } else if (pick < 10) {
      return new Retry(random.nextInt(jobs));
    } else if (pick < 11) {
      return new Purge(random.nextInt(2), random.nextInt(2));
    } else if (pick < 14) {
      long[] steps = {100, 1_000, 5_100, 8_200, 11_000, 21_000, 90_000};
      return new Advance(steps[random.nextInt(steps.length)]);
    } else if (pick < 18) {
      return new Release(random.nextInt(jobs), random.nextInt(3) != 0);
    }
    return new Read(random.nextInt(jobs), random.nextInt(3) == 0, random.nextInt(4) == 0);
  }

  private static int oneOf(Random random, int... values) {
    return values[random.nextInt(values.length)];
  }

  @TestFactory
  Stream<DynamicTest> anyInterleavingOfOperationsKeepsTheInvariants() {
    return IntStream.range(0, SEQUENCES_TO_RUN).mapToObj(i -> {
      long seed = SEED + i * 0x9E3779B97F4A7C15L;
      return DynamicTest.dynamicTest("sequence " + i + " (seed " + seed + ")", () -> {
        List<Op> ops = sequence(new Random(seed));
        try (World world = new World("sm" + SEQUENCES.incrementAndGet() + "-")) {
          for (Op op : ops) {
            world.apply(op);
            world.settle(op);
            world.check(op);
          }
          world.finish();
        } catch (AssertionError e) {
          throw new AssertionError("sequence of seed " + seed + " (-Drunline.statemachine.seed=" + seed
              + " -Drunline.statemachine.sequences=1): " + ops + "\n" + e.getMessage(), e);
        }
      });
    });
  }

  // ---- the world under test ---------------------------------------------------------------

  /** One job as the test knows it. */
  static final class Tracked {
    final String id;
    final String endpoint;
    final String key;
    int retries;
    /** The state seen at the last check; {@code null} when it is no longer found. */
    Status seen = Status.IN_QUEUE;
    /**
     * Its ttl passed, so reads no longer find it, but the store's expiry has not ended it yet
     * (within about a second of the clock): it still counts as {@link #seen} in health.
     */
    boolean unreadable;
    CompletableFuture<JobStatus> syncAnswer;

    Tracked(String id, String endpoint, String key) {
      this.id = id;
      this.endpoint = endpoint;
      this.key = key;
    }

    String attemptKey() {
      return id + "#" + (retries + 1);
    }
  }

  static final class World implements AutoCloseable {
    final String prefix;
    final FakeTime time = new FakeTime();
    final List<Tracked> jobs = new ArrayList<>();
    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final Map<String, Boolean> outcomes = new ConcurrentHashMap<>();
    final Map<String, String> blocked = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
    final Map<String, List<JobStatus>> endings = new ConcurrentHashMap<>();
    final Runline engine;
    /** What the last operation should have led to, by job id: checked after it settled. */
    final Map<String, Status> expected = new HashMap<>();
    final Set<String> retriedNow = new java.util.HashSet<>();

    World(String prefix) {
      this.prefix = prefix;
      RunlineBuilder builder = Engines.builder(time).listener((endpoint, status) -> {
        int attempt = status.retries() == null ? 1 : status.retries() + 1;
        // One atomic replacement by a longer list, so a reader never sees an empty one.
        endings.merge(status.id() + "#" + attempt, List.of(status), (seen, more) -> {
          List<JobStatus> all = new ArrayList<>(seen);
          all.addAll(more);
          return List.copyOf(all);
        });
      });
      for (String suffix : ENDPOINT_SUFFIXES) {
        String name = prefix + suffix;
        builder.endpoint(Endpoint.builder(name).workers(1).unlimited()
            .retention(Duration.ofDays(3650), Duration.ofDays(3650))
            .handler(job -> {
              String attemptKey = job.id() + "#" + (job.retries() + 1);
              invocations.computeIfAbsent(attemptKey, k -> new AtomicInteger()).incrementAndGet();
              CountDownLatch gate = gates.computeIfAbsent(attemptKey, k -> new CountDownLatch(1));
              blocked.put(attemptKey, name);
              try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("never released");
                }
              } finally {
                blocked.remove(attemptKey);
              }
              if (!outcomes.getOrDefault(attemptKey, true)) {
                throw new IllegalStateException("planned failure");
              }
              return "done " + attemptKey;
            }).build());
      }
      this.engine = builder.build();
    }

    Tracked job(int index) {
      return jobs.isEmpty() ? null : jobs.get(index % jobs.size());
    }

    void apply(Op op) {
      expected.clear();
      retriedNow.clear();
      if (op instanceof Run r) {
        String endpoint = prefix + ENDPOINT_SUFFIXES.get(r.endpoint());
        String key = KEYS.get(r.key());
        JobRequest request = JobRequest.of(jobs.size()).withPolicy(new Policy(
            r.timeoutSeconds() == 0 ? null : Duration.ofSeconds(r.timeoutSeconds()),
            r.ttlSeconds() == 0 ? null : Duration.ofSeconds(r.ttlSeconds()), r.low()));
        if (r.sync()) {
          CompletableFuture<JobStatus> answer = engine.as(key).endpoint(endpoint).runSync(request, Duration.ofSeconds(30));
          // The id of a runSync job is known from its answer, or else from the engine's store.
          String id = answer.isDone() ? answer.join().id() : newestSyncId(endpoint, key);
          Tracked t = new Tracked(id, endpoint, key);
          t.syncAnswer = answer;
          jobs.add(t);
        } else {
          JobStatus queued = engine.as(key).endpoint(endpoint).run(request);
          assertThat(queued.status()).isEqualTo(Status.IN_QUEUE);
          assertThat(jobs).noneMatch(t -> t.id.equals(queued.id()));
          jobs.add(new Tracked(queued.id(), endpoint, key));
        }
      } else if (op instanceof Cancel c) {
        Tracked t = job(c.job());
        if (t == null) {
          return;
        }
        String key = c.otherKey() ? other(t.key) : t.key;
        if (c.otherKey() || t.seen == null || t.unreadable) {
          assertThatThrownBy(() -> engine.as(key).endpoint(t.endpoint).cancel(t.id)).isInstanceOf(NotFoundException.class);
          return;
        }
        JobStatus answer = engine.as(key).endpoint(t.endpoint).cancel(t.id);
        if (TERMINAL.contains(t.seen)) {
          assertThat(answer.status()).as("cancel of a terminal job answers it unchanged").isEqualTo(t.seen);
        } else {
          assertThat(answer.status()).as("cancel of a live job").isEqualTo(Status.CANCELLED);
          expected.put(t.id, Status.CANCELLED);
        }
      } else if (op instanceof Retry r) {
        Tracked t = job(r.job());
        if (t == null) {
          return;
        }
        if (t.seen == null || t.unreadable) {
          assertThatThrownBy(() -> engine.as(t.key).endpoint(t.endpoint).retry(t.id)).isInstanceOf(NotFoundException.class);
        } else if (t.seen == Status.FAILED || t.seen == Status.TIMED_OUT) {
          assertThat(engine.as(t.key).endpoint(t.endpoint).retry(t.id).status()).isEqualTo(Status.IN_QUEUE);
          t.retries++;
          retriedNow.add(t.id);
        } else {
          assertThatThrownBy(() -> engine.as(t.key).endpoint(t.endpoint).retry(t.id))
              .as("retry of a " + t.seen + " job").isInstanceOf(InvalidRequestException.class);
        }
      } else if (op instanceof Purge p) {
        String endpoint = prefix + ENDPOINT_SUFFIXES.get(p.endpoint());
        String key = KEYS.get(p.key());
        List<Tracked> queued = jobs.stream()
            .filter(t -> t.endpoint.equals(endpoint) && t.key.equals(key) && t.seen == Status.IN_QUEUE && !t.unreadable)
            .toList();
        assertThat(engine.as(key).endpoint(endpoint).purgeQueue().removed()).as("purged: the caller's queued jobs there")
            .isEqualTo(queued.size());
        queued.forEach(t -> expected.put(t.id, Status.CANCELLED));
      } else if (op instanceof Advance a) {
        time.advance(Duration.ofMillis(a.millis()));
      } else if (op instanceof Release r) {
        Tracked t = job(r.job());
        if (t == null) {
          return;
        }
        String attemptKey = t.attemptKey();
        outcomes.put(attemptKey, r.succeed());
        gates.computeIfAbsent(attemptKey, k -> new CountDownLatch(1)).countDown();
        if (t.seen == Status.IN_PROGRESS) {
          expected.put(t.id, r.succeed() ? Status.COMPLETED : Status.FAILED);
        }
      } else if (op instanceof Read r) {
        Tracked t = job(r.job());
        if (t == null) {
          return;
        }
        if (r.otherKey()) {
          assertThatThrownBy(() -> engine.as(other(t.key)).endpoint(t.endpoint).status(t.id))
              .as("another key's job").isInstanceOf(NotFoundException.class);
        } else if (t.seen != null && !t.unreadable) {
          // Shortening retention to a day changes nothing within a sequence (at most 45 minutes of clock).
          Duration ttl = r.shortenTtl() ? Duration.ofDays(1) : null;
          assertThat(engine.as(t.key).endpoint(t.endpoint).status(t.id, ttl).status()).isEqualTo(t.seen);
        }
      }
    }

    /** The id of the newest job of {@code endpoint} and {@code key} not yet tracked (a runSync still waiting). */
    private String newestSyncId(String endpoint, String key) {
      Set<String> known = new java.util.HashSet<>();
      jobs.forEach(t -> known.add(t.id));
      List<String> candidates = new ArrayList<>();
      ((RunlineEngine) engine).store.forEachLive(stored -> {
        Job job = (Job) stored;
        if (job.sync && job.endpoint.name().equals(endpoint) && job.owner.equals(key) && !known.contains(job.idText())) {
          candidates.add(job.idText());
        }
      });
      assertThat(candidates).as("the runSync job just accepted").hasSize(1);
      return candidates.get(0);
    }

    private static String other(String key) {
      return key.equals(KEYS.get(0)) ? KEYS.get(1) : KEYS.get(0);
    }

    /** Waits until every worker is idle or blocked in a handler, and the store's expiry has run. */
    void settle(Op op) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!settled()) {
        assertThat(System.nanoTime()).as("the engine settles after " + op).isLessThan(deadline);
        Thread.yield();
      }
    }

    private boolean settled() {
      engine.inspect().runPendingExpiry();
      for (String attemptKey : blocked.keySet()) {
        CountDownLatch gate = gates.get(attemptKey);
        if (gate == null || gate.getCount() == 0) {
          return false;
        }
      }
      for (String suffix : ENDPOINT_SUFFIXES) {
        String endpoint = prefix + suffix;
        Health h = engine.inspect().health(endpoint);
        long blockedHere = blocked.values().stream().filter(endpoint::equals).count();
        if (h.workers().running() != blockedHere || h.jobs().inProgress() != blockedHere) {
          return false;
        }
        if (h.jobs().inQueue() > 0 && blockedHere == 0) {
          return false;
        }
      }
      return true;
    }

    void check(Op op) {
      Map<String, long[]> recount = new HashMap<>();
      for (String suffix : ENDPOINT_SUFFIXES) {
        recount.put(prefix + suffix, new long[5]);
      }
      for (Tracked t : jobs) {
        String what = t.id + " after " + op;
        Status now;
        JobStatus body = null;
        try {
          body = engine.as(t.key).endpoint(t.endpoint).status(t.id);
          now = body.status();
        } catch (NotFoundException gone) {
          now = null;
        }
        if (TERMINAL.contains(now) && endings.get(t.attemptKey()) == null) {
          // Listeners hear of an end on the thread that ended the job, just after the state
          // became visible to status: give that thread a moment to tell them.
          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
              .until(() -> endings.get(t.attemptKey()) != null);
        }
        List<JobStatus> last = endings.get(t.attemptKey());
        // Reads see a ttl exactly, but the store's timer wheel ends the job (and tells the
        // listeners and /health) within about a second of it: until then it counts as it last
        // was. A later advance of the clock ends it, and finish() checks every job ended once.
        boolean expiring = now == null && last == null && t.seen != null && !TERMINAL.contains(t.seen);
        t.unreadable = expiring;
        if (expiring) {
          now = t.seen;
        } else if (now == null) {
          assertThat(last).as(what + ": a job no longer found ended, once").hasSize(1);
          // By its ttl, or by its execution timeout in the same instant (both timers were due).
          assertThat(last.get(0).status()).as(what + ": and TIMED_OUT: " + last.get(0)).isEqualTo(Status.TIMED_OUT);
        } else if (TERMINAL.contains(now)) {
          assertThat(last).as(what + ": its attempt ended exactly once").hasSize(1);
          assertThat(last.get(0).status()).as(what + ": as the listener was told").isEqualTo(now);
          assertThat(body.retries() == null ? 0 : body.retries()).as(what + ": retries").isEqualTo(t.retries);
        } else {
          assertThat(last).as(what + ": a live attempt has not ended").isNull();
        }
        assertThat(allowed(t.seen, now, retriedNow.contains(t.id))).as(what + ": " + t.seen + " -> " + now).isTrue();
        if (expected.containsKey(t.id) && !expiring) {
          assertThat(now).as(what + ": what the operation determined").isEqualTo(expected.get(t.id));
        }
        for (int attempt = 1; attempt <= t.retries + 1; attempt++) {
          String attemptKey = t.id + "#" + attempt;
          AtomicInteger ran = invocations.get(attemptKey);
          assertThat(ran == null ? 0 : ran.get()).as(attemptKey + " ran at most once").isLessThanOrEqualTo(1);
          List<JobStatus> ended = endings.get(attemptKey);
          if (attempt <= t.retries) {
            assertThat(ended).as(attemptKey + ", retried, ended once").hasSize(1);
            assertThat(ended.get(0).status()).isIn(Status.FAILED, Status.TIMED_OUT);
          }
          if (ended != null) {
            Status s = ended.get(0).status();
            boolean byHandler = s == Status.COMPLETED || s == Status.FAILED;
            if (byHandler) {
              assertThat(ran).as(attemptKey + " ended " + s + ": its handler ran").isNotNull();
            }
            long[] c = recount.get(t.endpoint);
            if (s == Status.COMPLETED) {
              c[0]++;
            } else if (s == Status.FAILED || s == Status.TIMED_OUT) {
              c[1]++;
            }
          }
        }
        long[] c = recount.get(t.endpoint);
        if (now == Status.IN_PROGRESS) {
          c[2]++;
        } else if (now == Status.IN_QUEUE) {
          c[3]++;
        }
        c[4] += t.retries;
        t.seen = now;
      }
      for (Map.Entry<String, long[]> e : recount.entrySet()) {
        long[] c = e.getValue();
        assertThat(engine.inspect().health(e.getKey()).jobs()).as(e.getKey() + " /health after " + op)
            .isEqualTo(new Health.Jobs(c[0], c[1], c[2], c[3], c[4]));
      }
    }

    private static boolean allowed(Status from, Status to, boolean retried) {
      if (from == null) {
        return to == null;
      }
      if (retried) {
        return to == null || to == Status.IN_QUEUE || to == Status.IN_PROGRESS || TERMINAL.contains(to);
      }
      if (TERMINAL.contains(from)) {
        return to == from;
      }
      if (from == Status.IN_PROGRESS) {
        return to != Status.IN_QUEUE;
      }
      return true;
    }

    /** Releases every handler, lets every job end, and checks the runSync answers. */
    void finish() throws Exception {
      for (Tracked t : jobs) {
        gates.computeIfAbsent(t.attemptKey(), k -> new CountDownLatch(1)).countDown();
      }
      gates.values().forEach(CountDownLatch::countDown);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!ENDPOINT_SUFFIXES.stream().allMatch(s -> {
        Health.Jobs h = engine.inspect().health(prefix + s).jobs();
        return h.inQueue() == 0 && h.inProgress() == 0;
      })) {
        assertThat(System.nanoTime()).as("every job ended once released").isLessThan(deadline);
        // Jobs queued behind a released one pass their gates too, as they come.
        jobs.forEach(t -> gates.computeIfAbsent(t.attemptKey(), k -> new CountDownLatch(0)).countDown());
        Thread.yield();
      }
      time.advance(Duration.ofSeconds(31));
      for (Tracked t : jobs) {
        if (t.syncAnswer != null) {
          JobStatus answer = t.syncAnswer.get(10, TimeUnit.SECONDS);
          assertThat(answer.id()).isEqualTo(t.id);
          if (answer.status().isTerminal()) {
            List<JobStatus> first = endings.get(t.id + "#1");
            assertThat(first).as(t.id + " first attempt").hasSize(1);
            assertThat(answer).as(t.id + ": the runSync answer is the first attempt's ending").isEqualTo(first.get(0));
          }
        }
      }
      assertThat(invocations.keySet()).as("only attempts of accepted jobs ran").allSatisfy(k ->
          assertThat(jobs).anyMatch(t -> k.startsWith(t.id + "#")));
    }

    @Override
    public void close() {
      gates.values().forEach(CountDownLatch::countDown);
      engine.close();
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        if (thread.getName().startsWith("runline-" + prefix)) {
          try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          assertThat(thread.isAlive()).as(thread.getName() + " ended after close()").isFalse();
        }
      }
    }
  }
}
