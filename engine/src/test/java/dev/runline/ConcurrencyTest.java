package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.testing.ThreadsBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many callers at once: producers submitting {@code run} and {@code runSync} on two endpoints
 * while other threads cancel, retry and purge. Afterwards every accepted job is terminal, no
 * attempt ran twice, and {@code /health}'s counters agree with what happened.
 *
 * <p>Real time (nothing here waits for time to pass, only for conditions, with a bound). The
 * number of jobs is the system property {@code runline.concurrency.jobs} (default 2000).
 */
class ConcurrencyTest {
  private static final int JOBS = Integer.getInteger("runline.concurrency.jobs", 2000);
  private static final int PRODUCERS = 4;
  private static final List<String> ENDPOINTS = List.of("alpha", "beta");

  /** Handler invocations per "jobId#retries". */
  private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
  private final Runline engine = Runline.builder().backend(ThreadsBackend.provider())
      .endpoint(endpoint("alpha"))
      .endpoint(endpoint("beta"))
      .build();

  /** Accepted job id → its endpoint. */
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  /** Accepted job id → the "n" of its input. */
  private final Map<String, Integer> numbers = new ConcurrentHashMap<>();
  /** The same ids in a list, for picking one at random. */
  private final List<String> known = new ArrayList<>();
  private final Map<String, LongAdder> successfulRetries = new ConcurrentHashMap<>();
  private final Queue<CompletableFuture<JobStatus>> syncAnswers = new ConcurrentLinkedQueue<>();
  private final Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();

  @AfterEach
  void close() {
    engine.close();
  }

  private Endpoint endpoint(String name) {
    return Endpoint.builder(name).workers(2).unlimited().handler(job -> {
      invocations.computeIfAbsent(job.id() + "#" + job.retries(), k -> new AtomicInteger()).incrementAndGet();
      Map<?, ?> input = (Map<?, ?>) job.input();
      // A little work, long enough for some cancels to find the job running.
      long until = System.nanoTime() + ((Number) input.get("workNanos")).longValue();
      while (System.nanoTime() < until) {
        if (Thread.interrupted()) {
          throw new InterruptedException("cancelled while working");
        }
      }
      if (job.retries() < ((Number) input.get("failTimes")).intValue()) {
        throw new IllegalStateException("planned failure of attempt " + job.retries());
      }
      return Map.of("n", input.get("n"), "retries", job.retries());
    }).build();
  }

  private void accept(String id, String endpoint, int n) {
    numbers.put(id, n);
    if (accepted.putIfAbsent(id, endpoint) == null) {
      synchronized (known) {
        known.add(id);
      }
    }
  }

  private String randomKnownId() {
    synchronized (known) {
      return known.isEmpty() ? null : known.get(ThreadLocalRandom.current().nextInt(known.size()));
    }
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

  private void produce(int producer, int count, Semaphore cancels, Semaphore retries) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < count; i++) {
      String endpoint = ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
      int roll = random.nextInt(100);
      int failTimes = roll < 60 ? 0 : roll < 85 ? 1 : roll < 95 ? 2 : 5;
      long workNanos = random.nextInt(4) == 0 ? 200_000 : 0;
      int n = producer * 1_000_000 + i;
      JobRequest request = JobRequest.of(Map.of("n", n, "failTimes", failTimes,
          "workNanos", workNanos));
      switch (random.nextInt(3)) {
        case 0, 1 -> accept(engine.as(null).endpoint(endpoint).run(request).id(), endpoint, n);
        default -> {
          Duration wait = random.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(30);
          CompletableFuture<JobStatus> answer = engine.as(null).endpoint(endpoint).runSync(request, wait);
          syncAnswers.add(answer);
          answer.thenAccept(status -> accept(status.id(), endpoint, n));
        }
      }
      if (i % 10 == 0) {
        cancels.release();
      }
      retries.release();
      if (i > 0 && i % 400 == 0) {
        engine.as(null).endpoint(ENDPOINTS.get(random.nextInt(ENDPOINTS.size()))).purgeQueue();
      }
    }
  }

  /** Cancels a random known job per permit, until the producers stopped and the permits ran out. */
  private void cancel(AtomicBoolean stop, Semaphore permits) {
    while (!stop.get() || permits.availablePermits() > 0) {
      if (!tryAcquire(permits)) {
        continue;
      }
      String id = randomKnownId();
      if (id != null) {
        JobStatus answer = engine.as(null).endpoint(accepted.get(id)).cancel(id);
        assertThat(answer.status().isTerminal()).as("cancel answers a terminal state").isTrue();
      }
    }
  }

  /** Retries a random known job, if FAILED, per permit, until the producers stopped and the permits ran out. */
  private void retry(AtomicBoolean stop, Semaphore permits) {
    while (!stop.get() || permits.availablePermits() > 0) {
      if (!tryAcquire(permits)) {
        continue;
      }
      String id = randomKnownId();
      if (id == null) {
        continue;
      }
      String endpoint = accepted.get(id);
      if (engine.as(null).endpoint(endpoint).status(id).status() != Status.FAILED) {
        continue;
      }
      try {
        JobStatus answer = engine.as(null).endpoint(endpoint).retry(id);
        assertThat(answer.status()).isEqualTo(Status.IN_QUEUE);
        successfulRetries.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
      } catch (InvalidRequestException raced) {
        // Cancelled or retried by someone else meanwhile: not FAILED any more.
      }
    }
  }

  private static boolean tryAcquire(Semaphore permits) {
    try {
      return permits.tryAcquire(5, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void manyCallersAtOnceLeaveEveryJobTerminalRunOncePerAttemptAndHealthExact() throws Exception {
    Semaphore cancels = new Semaphore(0);
    Semaphore retries = new Semaphore(0);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      int count = JOBS / PRODUCERS + (p < JOBS % PRODUCERS ? 1 : 0);
      producers.add(thread("producer-" + p, () -> produce(producer, count, cancels, retries)));
    }
    Thread canceller = thread("canceller", () -> cancel(stop, cancels));
    Thread retrier = thread("retrier", () -> retry(stop, retries));

    canceller.start();
    retrier.start();
    producers.forEach(Thread::start);
    for (Thread producer : producers) {
      producer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(producer.isAlive()).as(producer.getName() + " finished").isFalse();
    }
    stop.set(true);
    canceller.join(TimeUnit.SECONDS.toMillis(30));
    retrier.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(canceller.isAlive()).isFalse();
    assertThat(retrier.isAlive()).isFalse();
    assertThat(unexpected).as("no caller thread failed").isEmpty();

    await().atMost(Duration.ofSeconds(30)).until(() -> syncAnswers.stream().allMatch(CompletableFuture::isDone)
        && ENDPOINTS.stream().allMatch(e -> {
          Health.Jobs jobs = engine.as(null).endpoint(e).health().jobs();
          return jobs.inQueue() == 0 && jobs.inProgress() == 0;
        }));
    // The ids of runSync answers are recorded by a callback that runs as the answer completes.
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == JOBS);

    Map<String, Map<Status, Integer>> finals = new HashMap<>();
    Map<String, Long> retriesSeen = new HashMap<>();
    for (Map.Entry<String, String> job : accepted.entrySet()) {
      String id = job.getKey();
      String endpoint = job.getValue();
      JobStatus status = engine.as(null).endpoint(endpoint).status(id);
      assertThat(status.status()).as(id).isIn(Status.COMPLETED, Status.FAILED, Status.CANCELLED);
      finals.computeIfAbsent(endpoint, k -> new HashMap<>()).merge(status.status(), 1, Integer::sum);
      int attempts = status.retries() == null ? 0 : status.retries();
      retriesSeen.merge(endpoint, (long) attempts, Long::sum);
      // Every earlier attempt failed, so it ran, exactly once.
      for (int k = 0; k < attempts; k++) {
        assertThat(invocations.get(id + "#" + k)).as(id + " attempt " + k).hasValue(1);
      }
      AtomicInteger last = invocations.get(id + "#" + attempts);
      switch (status.status()) {
        case COMPLETED -> {
          assertThat(last).as(id + " final attempt").hasValue(1);
          assertThat(status.output()).as(id).isEqualTo(Map.of("n", numbers.get(id), "retries", attempts));
        }
        case FAILED -> {
          assertThat(last).as(id + " final attempt").hasValue(1);
          assertThat(status.error()).as(id).contains("planned failure of attempt " + attempts);
        }
        default -> assertThat(last == null ? 0 : last.get()).as(id + " final attempt").isLessThanOrEqualTo(1);
      }
    }
    assertThat(invocations.values()).as("no attempt ran twice").allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(invocations.keySet()).as("only attempts of accepted jobs ran")
        .allSatisfy(key -> assertThat(accepted).containsKey(key.substring(0, key.lastIndexOf('#'))));

    for (String endpoint : ENDPOINTS) {
      Health.Jobs jobs = engine.as(null).endpoint(endpoint).health().jobs();
      Map<Status, Integer> counts = finals.getOrDefault(endpoint, Map.of());
      long retried = successfulRetries.getOrDefault(endpoint, new LongAdder()).sum();
      assertThat(jobs.inQueue()).as(endpoint + " inQueue").isZero();
      assertThat(jobs.inProgress()).as(endpoint + " inProgress").isZero();
      assertThat(jobs.completed()).as(endpoint + " completed").isEqualTo((long) counts.getOrDefault(Status.COMPLETED, 0));
      assertThat(jobs.retried()).as(endpoint + " retried").isEqualTo(retried);
      assertThat(retriesSeen.getOrDefault(endpoint, 0L)).as(endpoint + " retries in status bodies").isEqualTo(retried);
      // Each successful retry re-queued an attempt that had ended FAILED; the rest are still FAILED.
      assertThat(jobs.failed()).as(endpoint + " failed")
          .isEqualTo((long) counts.getOrDefault(Status.FAILED, 0) + retried);
    }
    if (JOBS >= 1000) {
      // The mix was exercised: some jobs of each outcome, and retries that passed.
      assertThat(finals.values().stream().flatMap(m -> m.keySet().stream()))
          .contains(Status.COMPLETED, Status.FAILED, Status.CANCELLED);
      assertThat(successfulRetries.values().stream().mapToLong(LongAdder::sum).sum()).isPositive();
    }
    assertThat(finals.values().stream().mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum()).sum())
        .isEqualTo(JOBS);
  }
}
