package dev.runline.benchmarks;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The baseline twin of every benchmark: job tracking as a user writes it without Runline. A
 * fixed {@link ThreadPoolExecutor} fed through a {@link LinkedBlockingQueue}, and a
 * {@link ConcurrentHashMap} of job records keyed by a random UUID (or a Caffeine cache, see
 * {@link Records}); each job is a
 * {@link CompletableFuture} on the pool that moves its record IN_QUEUE → IN_PROGRESS →
 * COMPLETED (or FAILED) with the timestamps a status query would report.
 *
 * <p>It has none of the engine's limits, priorities, timeouts, expiry or waiters, which is
 * the point: the gap between the two is what those features cost.
 *
 * <p>Where the records are kept is the one choice ({@link Records}): a plain
 * {@code ConcurrentHashMap} that keeps every record for ever (it leaks, but it is the least
 * work per job), or a Caffeine cache that expires each record 30 minutes after it was written,
 * as the engine keeps a finished {@code run} job: what a user who does not leak results writes.
 * Everything else is the same code.
 */
final class ThreadPoolJobs implements AutoCloseable {
  enum State { IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED }

  /** How the job records are kept. */
  enum Records {
    /** A {@code ConcurrentHashMap}: records are never removed. */
    MAP {
      @Override
      ConcurrentMap<String, JobRecord> newMap() {
        return new ConcurrentHashMap<>();
      }
    },
    /**
     * A Caffeine {@code Cache<String, JobRecord>} built with {@code expireAfterWrite(30 minutes)}
     * (its other settings the defaults, so its maintenance runs on the common pool), used
     * through its map view: {@code asMap().put} and {@code get} are {@code Cache.put} and
     * {@code getIfPresent}.
     */
    CAFFEINE {
      @Override
      ConcurrentMap<String, JobRecord> newMap() {
        return Caffeine.newBuilder()
            .expireAfterWrite(RETENTION)
            .<String, JobRecord>build()
            .asMap();
      }
    };

    /** How long the Caffeine side keeps a record: the engine's retention of a finished {@code run} job. */
    static final Duration RETENTION = Duration.ofMinutes(30);

    abstract ConcurrentMap<String, JobRecord> newMap();
  }

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
  private final ConcurrentMap<String, JobRecord> records;

  /** Records in a {@code ConcurrentHashMap} ({@link Records#MAP}). */
  ThreadPoolJobs(int workers, Function<Object, Object> handler) {
    this(workers, Records.MAP, handler);
  }

  ThreadPoolJobs(int workers, Records records, Function<Object, Object> handler) {
    this.pool = pool(workers);
    this.records = records.newMap();
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

  ConcurrentMap<String, JobRecord> records() {
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
