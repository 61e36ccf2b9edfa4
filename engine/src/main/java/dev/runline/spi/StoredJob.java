package dev.runline.spi;

/**
 * A job as a {@link JobStore} keeps it: its identity, which never changes, and its state,
 * which changes only through {@link JobStore#compareAndSet} and {@link JobStore#expire}.
 * The engine makes these; a store keeps them and finds them by id.
 */
public interface StoredJob {
  /** The job's id, as {@link JobStore#newId} made it (possibly a new object at each call). */
  JobId id();

  /** Whether the job's id is {@code id}, without making one. */
  default boolean hasId(JobId id) {
    return id().equals(id);
  }

  /** The first 32 bits of the job's id ({@link JobId#tag()}), without making one. */
  default int idTag() {
    return id().tag();
  }

  /** The name of the job's endpoint. */
  String endpoint();

  /** The job's state as this node last saw it written. */
  JobState state();

  /** How long the job may live before it is terminal, counted from {@link JobState#queuedAt()}. */
  long ttlNanos();

  /** How long the job is kept once terminal, counted from {@link JobState#endedAt()}. */
  long retentionNanos();

  /** How many jobs its endpoint's queue holds at most (a store that queues a retry needs to know). */
  default int queueCapacity() {
    return Integer.MAX_VALUE;
  }

  /** Whether the job waits behind normal-priority jobs (a store that queues it needs to know). */
  default boolean lowPriority() {
    return false;
  }

  /**
   * Replaces the state this node sees with {@code next} if it is still {@code expected}
   * (by identity), atomically. A store calls it when its own write of {@code next} won: for
   * a store in this process's memory this is the write itself.
   */
  boolean compareAndSetState(JobState expected, JobState next);

  /**
   * Tells the job of a state its shared store keeps for it ({@link SharedJobStore}): another
   * node may have changed it. The job takes the state when it is newer than the one this node
   * saw ({@link JobState#version()}), and does what a change seen from elsewhere does here.
   */
  default void observe(JobState kept) {
    throw new UnsupportedOperationException("only a job of a shared store observes changes");
  }
}
