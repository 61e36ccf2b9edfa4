package dev.runline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy.VarExpiration;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Every job the engine knows, by id: a Caffeine cache whose per-entry expiry is the job's
 * ttl while it is live and the retention period once it is terminal. Caffeine's scheduler
 * expires entries promptly; when a live job's ttl passes, the removal listener ends it
 * (interrupting it if it runs). There is no sweeper of our own.
 */
final class JobStore {
  private final Cache<String, Job> cache;
  private final VarExpiration<String, Job> expiry;

  JobStore(Ticker ticker, Scheduler scheduler, Executor executor) {
    this.cache = Caffeine.newBuilder()
        .ticker(ticker)
        .scheduler(scheduler)
        .executor(executor)
        .expireAfter(new Expiry<String, Job>() {
          @Override
          public long expireAfterCreate(String id, Job job, long now) {
            return job.state().status.isTerminal() ? job.retentionNanos() : job.ttlNanos();
          }

          @Override
          public long expireAfterUpdate(String id, Job job, long now, long current) {
            return job.state().status.isTerminal() ? job.retentionNanos() : current;
          }

          @Override
          public long expireAfterRead(String id, Job job, long now, long current) {
            return current;
          }
        })
        .removalListener((String id, Job job, RemovalCause cause) -> {
          if (job != null && cause == RemovalCause.EXPIRED) {
            job.expire();
          }
        })
        .build();
    this.expiry = cache.policy().expireVariably().orElseThrow();
  }

  void put(Job job) {
    cache.put(job.id, job);
  }

  Job get(String id) {
    return cache.getIfPresent(id);
  }

  void remove(Job job) {
    cache.asMap().remove(job.id, job);
  }

  /**
   * Keeps a job that just became terminal for its retention period from now. A put (rather
   * than a change of expiry) also brings back an entry whose ttl ran out in the instant
   * before the job ended: the job's end is what counts.
   */
  void retain(Job job) {
    cache.put(job.id, job);
  }

  /** A re-queued job lives for its ttl again. */
  void restartTtl(Job job) {
    expiry.setExpiresAfter(job.id, Duration.ofNanos(job.ttlNanos()));
  }

  /** Keeps the job at most {@code ttl} from now. */
  void shorten(Job job, Duration ttl) {
    expiry.getExpiresAfter(job.id).ifPresent(left -> {
      if (ttl.compareTo(left) < 0) {
        expiry.setExpiresAfter(job.id, ttl);
      }
    });
  }

  /** Visits every job in the store (weakly consistent, like any concurrent map view). */
  void forEach(java.util.function.Consumer<Job> action) {
    cache.asMap().values().forEach(action);
  }

  long size() {
    return cache.estimatedSize();
  }

  /** Runs pending expiry and removal work now. */
  void cleanUp() {
    cache.cleanUp();
  }
}
