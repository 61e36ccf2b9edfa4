package dev.runline.benchmarks;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The baseline twin of every benchmark: job tracking as a user writes it without Runline. A
 * fixed {@link ThreadPoolExecutor} fed through a {@link LinkedBlockingQueue}, and a
 * {@link ConcurrentHashMap} of job records keyed by a random UUID; each job is a
 * {@link CompletableFuture} on the pool that moves its record IN_QUEUE → IN_PROGRESS →
 * COMPLETED (or FAILED) with the timestamps a status query would report.
 *
 * <p>It has none of the engine's limits, priorities, timeouts, expiry or waiters, which is
 * the point: the gap between the two is what those features cost.
 */
final class ThreadPoolJobs implements AutoCloseable {
  enum State { IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED }

  /** One job's record, written by the pool thread that runs it and read by anyone. */
  static final class JobRecord {
    final Object input;
    final long submittedAt;
    volatile State state = State.IN_QUEUE;
    volatile long startedAt;
    volatile long endedAt;
    volatile Object output;
    volatile String error;
    volatile CompletableFuture<Object> completion;

    JobRecord(Object input, long submittedAt) {
      this.input = input;
      this.submittedAt = submittedAt;
    }

    Object execute(Function<Object, Object> handler) {
      startedAt = System.nanoTime();
      state = State.IN_PROGRESS;
      try {
        Object result = handler.apply(input);
        output = result;
        endedAt = System.nanoTime();
        state = State.COMPLETED;
        return result;
      } catch (RuntimeException e) {
        error = e.toString();
        endedAt = System.nanoTime();
        state = State.FAILED;
        throw e;
      }
    }
  }

  private final ThreadPoolExecutor pool;
  private final Function<Object, Object> handler;
  private final Map<String, JobRecord> records = new ConcurrentHashMap<>();

  ThreadPoolJobs(int workers, Function<Object, Object> handler) {
    this.pool = pool(workers);
    this.handler = handler;
  }

  /**
   * {@code workers} threads, all started up front as the engine's cpu backend starts its
   * workers, behind an unbounded queue.
   */
  static ThreadPoolExecutor pool(int workers) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 0L, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "baseline-worker-" + n.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.prestartAllCoreThreads();
    return pool;
  }

  /** Queues a job and answers its id at once, as {@code run} does. */
  String submit(Object input) {
    String id = UUID.randomUUID().toString();
    JobRecord record = new JobRecord(input, System.nanoTime());
    records.put(id, record);
    record.completion = CompletableFuture.supplyAsync(() -> record.execute(handler), pool);
    return id;
  }

  JobRecord record(String id) {
    return records.get(id);
  }

  Map<String, JobRecord> records() {
    return records;
  }

  @Override
  public void close() {
    shutdown(pool);
  }

  /** Lets queued work finish, as the engine's default shutdown drains its queue. */
  static void shutdown(ThreadPoolExecutor pool) {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
