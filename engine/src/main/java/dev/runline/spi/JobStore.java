package dev.runline.spi;

import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.local.LocalRecentJobs;
import java.util.function.Consumer;

/**
 * Where the engine keeps every job it has accepted, by id, and where each of a job's state
 * changes is made: the seam behind which a job's records may live in this process's memory
 * (the default) or elsewhere.
 *
 * <p>What every implementation must keep:
 * <ul>
 *   <li><b>One atomic transition.</b> {@link #compareAndSet} and {@link #expire} replace a
 *       job's state only if it is still the expected one, atomically with respect to every
 *       other change of that job through this store (from any thread, and from any node
 *       sharing the store). The engine decides what the next state is; the store only
 *       decides whether the change wins. Exactly one of two racing changes from the same
 *       state wins.
 *   <li><b>Expiry follows the state.</b> A live job (IN_QUEUE or IN_PROGRESS) is kept
 *       until {@code queuedAt + ttl}; once it is terminal, until {@code endedAt + retention},
 *       or shorter after {@link #shorten}. A job whose ttl passes while it is live is handed
 *       to the context's {@link Context#onExpired} (the engine then ends it with
 *       {@link #expire}); a terminal job whose retention passes is dropped silently. After
 *       either, {@link #find} no longer returns it. Expiry runs on the store's own clock
 *       and timers (the context's), not on a sweeper thread of the engine's.
 *   <li><b>Waiters are the engine's.</b> The store wakes no one: the engine, on the thread
 *       whose change won, tells listeners and wakes the callers waiting on that job.
 * </ul>
 */
public interface JobStore extends AutoCloseable {

  /**
   * An id for a job about to be {@link #insert inserted}: unguessable and never used before.
   * A store may tag it with where it will keep the job ({@link JobId#random(boolean, int)}).
   */
  default JobId newId(boolean sync) {
    return JobId.random(sync);
  }

  /** Adds a job just admitted, IN_QUEUE, for its ttl; its id came from {@link #newId}. */
  void insert(StoredJob job);

  /**
   * The job of {@code id}, or {@code null} when none is kept (unknown, or gone: its ttl or
   * retention passed, exactly as of now, even if the store has not dropped it yet).
   */
  StoredJob find(JobId id);

  /**
   * The transition primitive: makes {@code next} the job's state if it is still
   * {@code expected}, atomically, and sets the job's expiry from {@code next} (see the
   * class documentation).
   *
   * @return whether this change won; when it lost, the store leaves in the job the state that
   *     won (and the engine computes its change again from that), or leaves the job's state as
   *     it was when no change of it applies any more (a shared store whose copy of the job is
   *     gone)
   */
  boolean compareAndSet(StoredJob job, JobState expected, JobState next);

  /**
   * Like {@link #compareAndSet}, for the change that ends a live job because its ttl passed:
   * when it wins, the job leaves the store at once.
   */
  boolean expire(StoredJob job, JobState expected, JobState next);

  /** Keeps the job at most {@code keepNanos} from now (never longer than it would be kept). */
  void shorten(StoredJob job, long keepNanos);

  /**
   * Removes a job that was inserted but never published (its admission failed after the
   * insert), whatever its state.
   */
  void remove(StoredJob job);

  /**
   * Visits every job that may be live (IN_QUEUE or IN_PROGRESS), weakly consistently: for
   * purge and shutdown, never per job. It may visit a job that ended meanwhile; the caller
   * checks each job's state.
   */
  void forEachLive(Consumer<StoredJob> action);

  /**
   * The window of endpoint {@code endpoint}'s recent job ids that {@code /requests} lists
   * from, keeping at least the last {@code capacity}; asked once per endpoint when the engine
   * starts. By default a window in this process's memory ({@link LocalRecentJobs}); a store
   * that several nodes share overrides it with one window for all of them.
   */
  default RecentJobs recentJobs(String endpoint, int capacity) {
    return LocalRecentJobs.of(capacity);
  }

  /** Runs expiry work that is due now (e.g. under a manual clock in tests). */
  void cleanUp();

  /** Releases the store's resources; the jobs it keeps are not changed. */
  @Override
  void close();

  /** What a store is given when the engine opens it. */
  interface Context {
    /** The engine's clock, on which ttl and retention are measured. */
    TimeSource time();

    /** The engine's timers, for the store's own expiry. */
    Timers timers();

    /** To be told of each live job whose ttl passed (the engine ends it). */
    Consumer<StoredJob> onExpired();

    /**
     * This node's job object for {@code record} (a {@link SharedJobStore} loads jobs that other
     * nodes admitted): the one the node holds, brought up to the record's state, or a new one.
     */
    default StoredJob restore(JobRecord record) {
      throw new UnsupportedOperationException("only a shared store restores jobs");
    }

    /** Another node changed job {@code id}, or added a chunk to its stream (a {@link SharedJobStore} tells). */
    default void changed(JobId id) {}

    /**
     * Another node made version {@code version} of job {@code id}'s state: the engine skips the
     * news when it holds that version already, or when nothing on this node needs the job now.
     */
    default void changed(JobId id, int version) {
      changed(id);
    }

    /**
     * {@code job} was running on {@code node}, which a {@link SharedJobStore} found lost (its
     * lease not renewed): the engine queues the same attempt again, or when {@code giveUp}
     * ends it FAILED naming the node; either through {@link JobStore#compareAndSet}, and only
     * if the job still runs there.
     */
    default void lost(StoredJob job, String node, boolean giveUp, int redeliveries) {}
  }

  /** Opens a store for one engine. */
  @FunctionalInterface
  interface Factory {
    JobStore open(Context context);

    /**
     * Whether the stores it opens are {@link SharedJobStore}s: then the engine measures time
     * on the wall clock ({@link dev.runline.TimeSource#wallClock()}), the one clock the nodes
     * share, unless it was given a clock.
     */
    default boolean opensShared() {
      return false;
    }
  }
}
