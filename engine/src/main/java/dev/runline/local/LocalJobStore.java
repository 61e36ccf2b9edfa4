package dev.runline.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.StoredJob;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The default {@link JobStore}: jobs in this process's memory, written as little as possible
 * per job.
 *
 * <p><b>Finding a job costs no hash lookup.</b> A job's id carries, in its first 32 bits
 * ({@link JobId#tag()}), the slot where the job is kept ({@link JobSlots}), masked with a
 * value of this store's; the other 90 bits are random, so ids stay unguessable. Inserting a
 * job is a write to a slot claimed from a per-thread batch; finding it is a read of that slot
 * and a comparison of the ids.
 *
 * <p><b>Expiry follows the state, in blocks, with Caffeine as the clock.</b> A job that
 * ends joins the {@link ExpiryBlock} of the second its retention ends; the blocks live in a
 * Caffeine cache that expires each at its second, on the engine's timers, and the expired
 * block frees the slots of its jobs whose retention has really passed (a job retried since,
 * or kept shorter, is judged by its own deadline). One expiring entry per second instead of
 * one per job. Live jobs (queued or running: at most each endpoint's queue capacity plus its
 * workers) are kept in a {@link LiveJobs} list that a sweep visits every
 * {@value #SWEEP_MILLIS} ms, handing the engine every live job whose ttl has passed; a job
 * that ended leaves the list at the next sweep, so the list holds little more than the live
 * jobs. Reads are exact: {@link #find} answers no job once its ttl or retention has passed,
 * even before the sweep or the block has dropped it.
 *
 * <p>A transition is a compare-and-set on the job object itself ({@link StoredJob#compareAndSetState}).
 */
public final class LocalJobStore implements JobStore {
  private static final long SECOND = 1_000_000_000L;
  /** How often the live jobs are swept. */
  static final long SWEEP_MILLIS = 100;
  private static final long SWEEP_NANOS = SWEEP_MILLIS * 1_000_000L;

  private final TimeSource time;
  private final Timers timers;
  private final Consumer<StoredJob> onExpired;
  private final JobSlots slots = new JobSlots();
  /** Ids carry their slot masked with this, so they do not show how many jobs the store holds. */
  private final int mask = ThreadLocalRandom.current().nextInt();
  private final LiveJobs live = new LiveJobs();
  private final Cache<Long, ExpiryBlock> blocks;
  /** The blocks joined last, by second modulo their length: most ends join one of a few blocks. */
  private final AtomicReferenceArray<ExpiryBlock> recentBlocks = new AtomicReferenceArray<>(16);
  /** When a job was told to be kept only until then ({@code ?ttl}): rare, so kept aside. */
  private final Map<JobId, Long> shortened = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private LocalJobStore(Context context) {
    this.time = context.time();
    this.timers = context.timers();
    this.onExpired = context.onExpired();
    Scheduler scheduler = (executor, command, delay, unit) ->
        timers.schedule(() -> executor.execute(command), unit.toNanos(delay));
    this.blocks = Caffeine.newBuilder()
        .ticker(time::nanoTime)
        .scheduler(scheduler)
        // Maintenance runs on the thread that triggers it: there is little of it, once a second.
        .executor(Runnable::run)
        .expireAfter(new Expiry<Long, ExpiryBlock>() {
          @Override
          public long expireAfterCreate(Long second, ExpiryBlock block, long now) {
            return Math.max(0, second * SECOND - now);
          }

          @Override
          public long expireAfterUpdate(Long second, ExpiryBlock block, long now, long current) {
            return current;
          }

          @Override
          public long expireAfterRead(Long second, ExpiryBlock block, long now, long current) {
            return current;
          }
        })
        .removalListener((Long second, ExpiryBlock block, RemovalCause cause) -> {
          if (block != null) {
            block.forEach(this::freeIfGone);
          }
        })
        .build();
    timers.schedule(this::sweepRegularly, SWEEP_NANOS);
  }

  /** Stores in this process's memory: the engine's default. */
  public static JobStore.Factory factory() {
    return LocalJobStore::new;
  }

  @Override
  public JobId newId(boolean sync) {
    return JobId.random(sync, slots.claim() ^ mask);
  }

  @Override
  public void insert(StoredJob job) {
    slots.set(job.idTag() ^ mask, job);
    live.add(job);
  }

  @Override
  public StoredJob find(JobId id) {
    StoredJob job = slots.get(slot(id));
    if (job == null || !job.hasId(id)) {
      return null;
    }
    return time.nanoTime() - deadline(job) < 0 ? job : null;
  }

  @Override
  public boolean compareAndSet(StoredJob job, JobState expected, JobState next) {
    if (!job.compareAndSetState(expected, next)) {
      return false;
    }
    boolean wasTerminal = expected.status().isTerminal();
    if (next.status().isTerminal() && !wasTerminal) {
      keepUntil(job, next.endedAt() + job.retentionNanos());
    } else if (wasTerminal && !next.status().isTerminal()) {
      // A retry: the job is live again, for its ttl from now; a shortened retention was the last attempt's.
      if (!shortened.isEmpty()) {
        shortened.remove(job.id());
      }
      live.add(job);
    }
    return true;
  }

  @Override
  public boolean expire(StoredJob job, JobState expected, JobState next) {
    if (!job.compareAndSetState(expected, next)) {
      return false;
    }
    free(job);
    return true;
  }

  @Override
  public void shorten(StoredJob job, long keepNanos) {
    long until = time.nanoTime() + keepNanos;
    if (until - deadline(job) < 0) {
      shortened.put(job.id(), until);
      if (job.state().status().isTerminal()) {
        keepUntil(job, until);
      }
    }
  }

  @Override
  public void remove(StoredJob job) {
    free(job);
  }

  @Override
  public void forEachLive(Consumer<StoredJob> action) {
    live.forEach(action);
  }

  @Override
  public void cleanUp() {
    sweepLive();
    blocks.cleanUp();
  }

  @Override
  public void close() {
    closed = true;
  }

  private int slot(JobId id) {
    return id.tag() ^ mask;
  }

  /** When the job stops being kept: its ttl while live, its retention once terminal, or sooner as shortened. */
  private long deadline(StoredJob job) {
    JobState s = job.state();
    long deadline = s.status().isTerminal() ? s.endedAt() + job.retentionNanos() : s.queuedAt() + job.ttlNanos();
    if (!shortened.isEmpty()) {
      Long until = shortened.get(job.id());
      if (until != null && until - deadline < 0) {
        deadline = until;
      }
    }
    return deadline;
  }

  /** Joins the block that expires at the first whole second at or after {@code deadline}. */
  private void keepUntil(StoredJob job, long deadline) {
    long second = Math.floorDiv(deadline, SECOND) + 1;
    int recent = (int) (second & (recentBlocks.length() - 1));
    ExpiryBlock block = recentBlocks.get(recent);
    if (block == null || block.second() != second || !block.add(job)) {
      block = blocks.get(second, ExpiryBlock::new);
      recentBlocks.set(recent, block);
      if (!block.add(job)) {
        // The block expired in the instant it was found: the job's own deadline decides at once.
        freeIfGone(job);
      }
    }
  }

  private void freeIfGone(StoredJob job) {
    if (job.state().status().isTerminal() && time.nanoTime() - deadline(job) >= 0) {
      free(job);
    }
  }

  private void free(StoredJob job) {
    int slot = job.idTag() ^ mask;
    if (slots.remove(slot, job)) {
      if (!shortened.isEmpty()) {
        shortened.remove(job.id());
      }
      slots.release(slot);
    }
  }

  private void sweepRegularly() {
    if (closed) {
      return;
    }
    try {
      sweepLive();
    } finally {
      timers.schedule(this::sweepRegularly, SWEEP_NANOS);
    }
  }

  /** Hands the engine each live job whose ttl passed; drops the jobs that ended. */
  private void sweepLive() {
    long now = time.nanoTime();
    live.sweep(job -> {
      if (job.state().status().isTerminal()) {
        return false;
      }
      if (now - deadline(job) >= 0) {
        onExpired.accept(job);
        return !job.state().status().isTerminal();
      }
      return true;
    });
  }
}
