package dev.runline.spi;

/**
 * The ids of one endpoint's most recently admitted jobs, in the order they were admitted: a
 * bounded window from which {@code /requests} lists a caller's recent jobs, newest first.
 * Only ids are kept; the jobs themselves stay in the {@link JobStore}, so a job whose ttl or
 * retention passed drops out of a listing when the store no longer finds it.
 *
 * <p>Each id gets a <em>position</em>, one more than the one before, never reused; the window
 * keeps at least the last {@code capacity} positions it was given (see
 * {@link JobStore#recentJobs}). A store shared by several nodes supplies one window for all of
 * them, so a listing on any node sees the jobs admitted on every node.
 */
public interface RecentJobs {
  /**
   * Records a job just admitted as the newest; the oldest id leaves once the window is full.
   *
   * @param owner who submitted it, as the engine names the caller (with a shared store, the
   *     digest of the API key, never the key): a window may keep one sequence per owner, so
   *     that a listing walks only the caller's ids, or one for every owner, the listing then
   *     keeping the caller's
   */
  void add(JobId id, String owner);

  /**
   * Visits the ids kept at positions below {@code before}, newest first, while
   * {@code visitor} answers {@code true}: at least {@code owner}'s, perhaps others' too (the
   * listing checks each job's owner). An id added meanwhile may or may not be visited.
   *
   * @param before a position from an earlier visit, or {@link Long#MAX_VALUE} for the newest
   */
  void visitBefore(String owner, long before, Visitor visitor);

  /**
   * Drops an id whose job the store no longer keeps (its ttl or retention passed), met by a
   * walk; by default nothing, for a window that loses old ids soon enough by itself.
   */
  default void forget(JobId id, String owner) {
  }

  /** Sees one id of a {@link #visitBefore} walk. */
  @FunctionalInterface
  interface Visitor {
    /** Sees the id at {@code position}; answers whether the walk goes on to older ids. */
    boolean visit(long position, JobId id);
  }
}
