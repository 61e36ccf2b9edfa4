package dev.runline.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy.VarExpiration;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.runline.Status;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.StoredJob;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The default {@link JobStore}: jobs in this process's memory, in a Caffeine cache whose
 * per-entry expiry is the job's ttl while it is live and its retention once it is terminal.
 * A transition is a compare-and-set on the job object itself; Caffeine's scheduler expires
 * entries promptly, and its removal listener hands a live job whose ttl passed to the
 * engine. There is no sweeper of our own.
 */
public final class LocalJobStore implements JobStore {
  private final Cache<String, StoredJob> cache;
  private final VarExpiration<String, StoredJob> expiry;

  private LocalJobStore(Context context) {
    Consumer<StoredJob> onExpired = context.onExpired();
    Scheduler scheduler = (executor, command, delay, unit) ->
        context.timers().schedule(() -> executor.execute(command), unit.toNanos(delay));
    this.cache = Caffeine.newBuilder()
        .ticker(context.time()::nanoTime)
        .scheduler(scheduler)
        // Maintenance runs on the thread that triggers it: amortized over many jobs, it is
        // cheaper than waking a pool thread for each batch of writes.
        .executor(Runnable::run)
        .expireAfter(new Expiry<String, StoredJob>() {
          @Override
          public long expireAfterCreate(String id, StoredJob job, long now) {
            return keep(job);
          }

          @Override
          public long expireAfterUpdate(String id, StoredJob job, long now, long current) {
            return keep(job);
          }

          @Override
          public long expireAfterRead(String id, StoredJob job, long now, long current) {
            return current;
          }
        })
        .removalListener((String id, StoredJob job, RemovalCause cause) -> {
          if (job != null && cause == RemovalCause.EXPIRED && !job.state().status().isTerminal()) {
            onExpired.accept(job);
          }
        })
        .build();
    this.expiry = cache.policy().expireVariably().orElseThrow();
  }

  /** Stores in this process's memory: the engine's default. */
  public static JobStore.Factory factory() {
    return LocalJobStore::new;
  }

  /** How long from now a job (just written) is kept, from its state. */
  private static long keep(StoredJob job) {
    JobState s = job.state();
    return s.status().isTerminal() ? job.retentionNanos() : job.ttlNanos();
  }

  @Override
  public void insert(StoredJob job) {
    cache.put(job.id(), job);
  }

  @Override
  public StoredJob find(String id) {
    return cache.getIfPresent(id);
  }

  /**
   * The compare-and-set is on the job itself; then the expiry follows the new state. A put
   * (rather than a change of expiry) also brings back an entry whose ttl ran out in the
   * instant before the job ended: the job's end is what counts.
   */
  @Override
  public boolean compareAndSet(StoredJob job, JobState expected, JobState next) {
    if (!job.compareAndSetState(expected, next)) {
      return false;
    }
    if (next.status().isTerminal()) {
      cache.put(job.id(), job);
    } else if (next.status() != expected.status() && next.status() == Status.IN_QUEUE) {
      // A retry: the new attempt lives for its ttl again.
      expiry.setExpiresAfter(job.id(), job.ttlNanos(), TimeUnit.NANOSECONDS);
    }
    return true;
  }

  @Override
  public boolean expire(StoredJob job, JobState expected, JobState next) {
    if (!job.compareAndSetState(expected, next)) {
      return false;
    }
    cache.asMap().remove(job.id(), job);
    return true;
  }

  @Override
  public void shorten(StoredJob job, long keepNanos) {
    expiry.getExpiresAfter(job.id(), TimeUnit.NANOSECONDS).ifPresent(left -> {
      if (keepNanos < left) {
        expiry.setExpiresAfter(job.id(), keepNanos, TimeUnit.NANOSECONDS);
      }
    });
  }

  @Override
  public void remove(StoredJob job) {
    cache.asMap().remove(job.id(), job);
  }

  @Override
  public void forEach(Consumer<StoredJob> action) {
    cache.asMap().values().forEach(action);
  }

  @Override
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public void close() {
    // Nothing to release: the cache is garbage once the engine is.
  }
}
