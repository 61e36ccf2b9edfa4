package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A randomized stress of the whole engine: producer threads on three endpoints and two API
 * keys mixing {@code run} and {@code runSync} with cancels, purges, retries and status reads,
 * jobs that complete, fail (thrown or by an {@code "error"} output), publish progress, spin,
 * or hang until interrupted, with short ttls, short execution timeouts and low priority, while
 * a dedicated thread moves the engine's {@link FakeTime} clock forward the whole time, so
 * ttls and execution timeouts of 5 to 30 seconds fire in milliseconds of real time.
 *
 * <p>Afterwards every accepted job is in exactly one terminal state, or was removed by its ttl
 * after ending TIMED_OUT (a job that ended otherwise must be kept for its retention); every attempt ended exactly once and its handler ran at most once
 * (exactly once for those that completed, failed or timed out while running); {@code /health}
 * equals a recount; and no engine thread is left once {@code close()} returns. A second test
 * closes the engine in the middle of such a load.
 *
 * <p>The number of jobs is the system property {@code runline.stress.jobs}: 20 000 by
 * default (a few seconds), 1 000 000 with {@code mvn test -Pfull}.
 */
class StressTest {
  private static final int JOBS = Integer.getInteger("runline.stress.jobs", 20_000);
  private static final int PRODUCERS = 3;
  private static final List<String> ENDPOINTS = List.of("stress-a", "stress-b", "stress-c");
  private static final List<String> KEYS = List.of(Engines.KEY, Engines.OTHER_KEY);
  /** Attempts one job may have: the producers retry a job at most 3 times (a race can add one). */
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration STEP = Duration.ofMillis(50);

  private final FakeTime time = new FakeTime();
  /** Everything known of each job, by id; the handler and the listener may create the entry first. */
  private final Map<String, Tracked> jobs = new ConcurrentHashMap<>();
  /** Accepted ids in order, for picking one at random. */
  private final AtomicReferenceArray<String> acceptedIds = new AtomicReferenceArray<>(Math.max(JOBS, 5000));
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger pendingSync = new AtomicInteger();
  private final LongAdder refusedFull = new LongAdder();
  private final LongAdder purged = new LongAdder();
  private final LongAdder cancelsWon = new LongAdder();
  private final Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopClock = new AtomicBoolean();
  private Runline engine;

  /** One job as the test saw it. Attempt numbers are 1-based. */
  static final class Tracked {
    volatile String endpoint;
    volatile String key;
    volatile boolean isAccepted;
    volatile JobStatus syncAnswer;
    volatile Duration ttl;
    final AtomicInteger retriesWon = new AtomicInteger();
    final AtomicIntegerArray invocations = new AtomicIntegerArray(MAX_ATTEMPTS + 1);
    final AtomicIntegerArray ends = new AtomicIntegerArray(MAX_ATTEMPTS + 1);
    final AtomicReferenceArray<JobStatus> endings = new AtomicReferenceArray<>(MAX_ATTEMPTS + 1);
  }

  @AfterEach
  void close() {
    stopClock.set(true);
    if (engine != null) {
      engine.close();
    }
  }

  private Tracked track(String id) {
    return jobs.computeIfAbsent(id, k -> new Tracked());
  }

  private Runline start(String prefix, int queueCapacity) {
    RunlineBuilder builder = Engines.builder(time).listener((endpoint, status) -> {
      Tracked t = track(status.id());
      int attempt = status.retries() == null ? 1 : status.retries() + 1;
      t.ends.incrementAndGet(attempt);
      t.endings.set(attempt, status);
    });
    for (String name : ENDPOINTS) {
      builder.endpoint(Endpoint.builder(prefix + name).workers(2).queueCapacity(queueCapacity).unlimited()
          // Results are kept far longer than the test's clock moves, so "not found" means "expired by its ttl".
          .retention(Duration.ofDays(3650), Duration.ofDays(3650))
          .handler(this::handle).build());
    }
    return builder.build();
  }

  private Object handle(JobContext job) throws Exception {
    int attempt = job.retries() + 1;
    track(job.id()).invocations.incrementAndGet(attempt);
    Map<?, ?> input = (Map<?, ?>) job.input();
    switch ((String) input.get("kind")) {
      case "fail":
        if (attempt <= ((Number) input.get("failTimes")).intValue()) {
          throw new IllegalStateException("planned failure of attempt " + attempt);
        }
        break;
      case "error-output":
        return Map.of("error", "the handler says no", "attempt", attempt);
      case "hang":
        // Until the execution timeout, ttl, cancel or shutdown interrupts it.
        new CountDownLatch(1).await(60, TimeUnit.SECONDS);
        return "never interrupted";
      case "spin":
        long until = System.nanoTime() + 20_000;
        while (System.nanoTime() < until && !job.isCancelled()) {
          Thread.onSpinWait();
        }
        break;
      case "progress":
        job.progress(Map.of("percent", 50));
        break;
      default:
        break;
    }
    return Map.of("n", input.get("n"), "attempt", attempt);
  }

  private Thread thread(String name, Runnable body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        unexpected.add(e);
      }
    }, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Moves the engine's clock by {@link #STEP} at a time until stopped: ttls and timeouts fire meanwhile. */
  private Thread clock() {
    return thread("stress-clock", () -> {
      while (!stopClock.get()) {
        time.advance(STEP);
        LockSupport.parkNanos(100_000);
      }
    });
  }

  private void accept(String id, String endpoint, String key, JobStatus syncAnswer, Duration ttl) {
    Tracked t = track(id);
    t.ttl = ttl;
    t.endpoint = endpoint;
    t.key = key;
    t.syncAnswer = syncAnswer;
    t.isAccepted = true;
    acceptedIds.set(accepted.getAndIncrement(), id);
  }

  private String randomAccepted(ThreadLocalRandom random) {
    int n = accepted.get();
    return n == 0 ? null : acceptedIds.get(random.nextInt(n));
  }

  private JobRequest randomRequest(ThreadLocalRandom random, int n, boolean hangs) {
    int roll = random.nextInt(1000);
    String kind = hangs && roll < 3 ? "hang" : roll < 550 ? "ok" : roll < 750 ? "fail" : roll < 800 ? "error-output"
        : roll < 900 ? "spin" : "progress";
    Map<String, Object> input = Map.of("n", n, "kind", kind, "failTimes", random.nextInt(1, 4));
    Duration executionTimeout = random.nextInt(5) == 0 ? Duration.ofSeconds(random.nextInt(5, 16)) : null;
    Duration ttl = random.nextInt(4) == 0 ? Duration.ofSeconds(random.nextInt(10, 31)) : null;
    if (kind.equals("hang") && executionTimeout == null && ttl == null) {
      executionTimeout = Duration.ofSeconds(5);
    }
    return JobRequest.of(input).withPolicy(new Policy(executionTimeout, ttl, random.nextInt(10) == 0));
  }

  private void produce(String prefix, int producer, int count, boolean hangs, AtomicBoolean closing) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < count; i++) {
      String endpoint = prefix + ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
      String key = KEYS.get(random.nextInt(KEYS.size()));
      JobRequest request = randomRequest(random, producer * 10_000_000 + i, hangs);
      try {
        if (random.nextInt(10) < 7) {
          accept(engine.as(key).endpoint(endpoint).run(request).id(), endpoint, key, null, request.policy().ttl());
        } else {
          pendingSync.incrementAndGet();
          Duration wait = Duration.ofSeconds(random.nextInt(0, 20));
          try {
            engine.as(key).endpoint(endpoint).runSync(request, wait).whenComplete((answer, error) -> {
              if (error != null) {
                unexpected.add(error);
              } else {
                accept(answer.id(), endpoint, key, answer, request.policy().ttl());
              }
              pendingSync.decrementAndGet();
            });
          } catch (RuntimeException e) {
            pendingSync.decrementAndGet();
            throw e;
          }
        }
      } catch (QueueFullException e) {
        refusedFull.increment();
      } catch (EngineClosedException e) {
        if (!closing.get()) {
          throw e;
        }
        return;
      }
      try {
        meddle(random, i);
      } catch (EngineClosedException e) {
        if (!closing.get()) {
          throw e;
        }
        return;
      }
    }
  }

  /** Reads, cancels, retries and purges at random, as other clients would. */
  private void meddle(ThreadLocalRandom random, int i) {
    String id = randomAccepted(random);
    if (id == null) {
      return;
    }
    Tracked t = jobs.get(id);
    try {
      JobStatus status = engine.as(t.key).endpoint(t.endpoint).status(id);
      if (i % 10 == 0) {
        JobStatus answer = engine.as(t.key).endpoint(t.endpoint).cancel(id);
        assertThat(answer.status().isTerminal()).as("cancel answers a terminal state").isTrue();
        if (!status.status().isTerminal() && answer.status() == Status.CANCELLED && answer.output() == null) {
          cancelsWon.increment();
        }
      } else if (i % 5 == 0 && (status.status() == Status.FAILED || status.status() == Status.TIMED_OUT)
          && t.retriesWon.get() < 3) {
        try {
          assertThat(engine.as(t.key).endpoint(t.endpoint).retry(id).status()).isEqualTo(Status.IN_QUEUE);
          t.retriesWon.incrementAndGet();
        } catch (InvalidRequestException raced) {
          // Retried by another producer meanwhile.
        }
      }
    } catch (NotFoundException expired) {
      // Removed by its ttl.
    }
    if (i % 2000 == 1999) {
      purged.add(engine.as(t.key).endpoint(t.endpoint).purgeQueue().removed());
    }
  }

  private static void join(List<Thread> threads, Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      assertThat(thread.isAlive()).as(thread.getName() + " finished within " + atMost).isFalse();
    }
  }

  private List<Thread> producers(String prefix, int total, boolean hangs, AtomicBoolean closing) {
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      int count = total / PRODUCERS + (p < total % PRODUCERS ? 1 : 0);
      producers.add(thread("stress-producer-" + p, () -> produce(prefix, producer, count, hangs, closing)));
    }
    return producers;
  }

  private static List<Thread> engineThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("runline-" + prefix) && t.isAlive()).toList();
  }

  @Test
  void everyAcceptedJobEndsInExactlyOneStateEachAttemptRunsAtMostOnceAndHealthEqualsARecount() throws Exception {
    long started = System.nanoTime();
    engine = start("", 16_384);
    Thread clock = clock();
    clock.start();
    List<Thread> producers = producers("", JOBS, true, new AtomicBoolean());
    producers.forEach(Thread::start);
    join(producers, Duration.ofMinutes(JOBS > 100_000 ? 30 : 3));
    assertThat(unexpected).as("no producer failed").isEmpty();

    await().atMost(Duration.ofSeconds(120)).until(() -> pendingSync.get() == 0 && ENDPOINTS.stream().allMatch(e -> {
      Health.Jobs h = engine.inspect().health(e).jobs();
      return h.inQueue() == 0 && h.inProgress() == 0;
    }));
    stopClock.set(true);
    clock.join(TimeUnit.SECONDS.toMillis(10));
    long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    Map<String, Map<Status, Long>> finals = new LinkedHashMap<>();
    Map<String, long[]> recount = new LinkedHashMap<>();
    ENDPOINTS.forEach(e -> {
      finals.put(e, new EnumMap<>(Status.class));
      recount.put(e, new long[3]);
    });
    long expired = 0;
    long attemptsRun = 0;
    List<String> lostResults = new ArrayList<>();
    int n = accepted.get();
    for (int i = 0; i < n; i++) {
      String id = acceptedIds.get(i);
      Tracked t = jobs.get(id);
      int attempts = 1 + t.retriesWon.get();
      JobStatus last = t.endings.get(attempts);
      assertThat(last).as(id + ": attempt " + attempts + " ended").isNotNull();
      Status state;
      try {
        JobStatus now = engine.as(t.key).endpoint(t.endpoint).status(id);
        state = now.status();
        assertThat(state.isTerminal()).as(id + " is terminal").isTrue();
        assertThat(now.retries() == null ? 0 : now.retries()).as(id + " retries").isEqualTo(attempts - 1);
        assertThat(now.status()).as(id + ": its state is its last attempt's ending").isEqualTo(last.status());
        assertThat(now.error()).as(id).isEqualTo(last.error());
      } catch (NotFoundException gone) {
        expired++;
        state = null;
        // Ended by its ttl, or by its execution timeout in the same instant (both were due): TIMED_OUT either way.
        if (last.status() != Status.TIMED_OUT) {
          lostResults.add(id + " (ttl " + t.ttl + ") ended " + last + " yet is gone");
        }
      }
      for (int a = 1; a <= MAX_ATTEMPTS; a++) {
        int ran = t.invocations.get(a);
        int ends = t.ends.get(a);
        attemptsRun += ran;
        assertThat(ran).as(id + " attempt " + a + " ran at most once").isLessThanOrEqualTo(1);
        if (a > attempts) {
          assertThat(ends + ran).as(id + " attempt " + a + " never existed").isZero();
          continue;
        }
        assertThat(ends).as(id + " attempt " + a + " ended exactly once").isEqualTo(1);
        JobStatus ending = t.endings.get(a);
        if (a < attempts) {
          assertThat(ending.status()).as(id + " attempt " + a + " was retried").isIn(Status.FAILED, Status.TIMED_OUT);
        }
        boolean endedByHandler = ending.status() == Status.COMPLETED || ending.status() == Status.FAILED
            || (ending.status() == Status.TIMED_OUT && ending.error().contains("execution timeout"));
        if (endedByHandler) {
          assertThat(ran).as(id + " attempt " + a + " (" + ending.status() + ") ran once").isEqualTo(1);
        }
        long[] counts = recount.get(t.endpoint);
        switch (ending.status()) {
          case COMPLETED -> counts[0]++;
          case FAILED, TIMED_OUT -> counts[1]++;
          default -> { }
        }
      }
      if (t.syncAnswer != null && t.syncAnswer.status().isTerminal()) {
        assertThat(t.syncAnswer).as(id + ": the runSync answer is its first attempt's ending").isEqualTo(t.endings.get(1));
      }
      recount.get(t.endpoint)[2] += attempts - 1;
      finals.get(t.endpoint).merge(state == null ? Status.TIMED_OUT : state, 1L, Long::sum);
    }
    assertThat(jobs.values()).as("every job that ran or ended was accepted").allMatch(t -> t.isAccepted);
    assertThat(jobs).hasSize(n);

    for (String endpoint : ENDPOINTS) {
      Health.Jobs health = engine.as(Engines.KEY).endpoint(endpoint).health().jobs();
      long[] counts = recount.get(endpoint);
      assertThat(health).as(endpoint + ": /health equals the recount (completed, failed, inProgress, inQueue, retried)")
          .isEqualTo(new Health.Jobs(counts[0], counts[1], 0, 0, counts[2]));
    }
    long inStates = finals.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    assertThat(inStates).as("accepted jobs, each in exactly one final state").isEqualTo(n);
    assertThat(n + refusedFull.sum()).as("accepted + refused (queue full) = submitted").isEqualTo(JOBS);

    Map<Status, Long> byState = new EnumMap<>(Status.class);
    finals.values().forEach(m -> m.forEach((s, c) -> byState.merge(s, c, Long::sum)));
    System.out.printf("StressTest: %d jobs submitted, %d accepted, %d refused (queue full) in %d ms; final states %s"
            + " (TIMED_OUT includes %d removed by their ttl); %d handler invocations; %d cancels won; %d purged;"
            + " %d retries; clock moved %d s; %d results lost%n", JOBS, n, refusedFull.sum(), loadMillis, byState, expired, attemptsRun,
        cancelsWon.sum(), purged.sum(), recount.values().stream().mapToLong(c -> c[2]).sum(),
        TimeUnit.NANOSECONDS.toSeconds(time.nanoTime() - Duration.ofDays(1).toNanos()), lostResults.size());
    assertThat(lostResults).as(lostResults.size() + " jobs that ended other than TIMED_OUT, yet are gone before"
        + " their retention (10 years) passed").isEmpty();
    if (JOBS >= 10_000) {
      assertThat(byState.keySet()).as("the mix reached every terminal state")
          .contains(Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.TIMED_OUT);
      assertThat(expired).as("jobs removed by their ttl").isPositive();
    }

    engine.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> engineThreads("stress-").isEmpty());
  }

  @Test
  void closingInTheMiddleOfTheLoadEndsEveryAcceptedJobAndLeavesNoThread() throws Exception {
    engine = start("shut-", 4096);
    Thread clock = clock();
    clock.start();
    AtomicBoolean closing = new AtomicBoolean();
    List<Thread> producers = producers("shut-", Math.max(3000, JOBS / 4), true, closing);
    producers.forEach(Thread::start);
    await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() >= 1000 || !unexpected.isEmpty());
    assertThat(unexpected).isEmpty();

    closing.set(true);
    engine.close();
    join(producers, Duration.ofSeconds(60));
    assertThat(unexpected).as("producers failed only by the engine refusing after close").isEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> pendingSync.get() == 0);
    stopClock.set(true);

    int n = accepted.get();
    for (int i = 0; i < n; i++) {
      String id = acceptedIds.get(i);
      Tracked t = jobs.get(id);
      int attempts = 1 + t.retriesWon.get();
      for (int a = 1; a <= attempts; a++) {
        assertThat(t.ends.get(a)).as(id + " attempt " + a + " ended exactly once").isEqualTo(1);
        assertThat(t.invocations.get(a)).as(id + " attempt " + a + " ran at most once").isLessThanOrEqualTo(1);
      }
      assertThat(t.ends.get(attempts + 1)).as(id + ": no later attempt").isZero();
    }
    for (String endpoint : ENDPOINTS) {
      Health.Jobs health = engine.inspect().health("shut-" + endpoint).jobs();
      assertThat(health.inQueue() + health.inProgress()).as("shut-" + endpoint + " left nothing queued or running").isZero();
    }
    System.out.printf("StressTest: closed with %d jobs accepted; every one ended%n", n);
    await().atMost(Duration.ofSeconds(10)).until(() -> engineThreads("shut-").isEmpty());
  }
}
