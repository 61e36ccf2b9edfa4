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
  /** Records a job just admitted as the newest; the oldest id leaves once the window is full. */
  void add(JobId id);

  /**
   * Visits the ids kept at positions below {@code before}, newest first, while
   * {@code visitor} answers {@code true}. An id added meanwhile may or may not be visited.
   *
   * @param before a position from an earlier visit, or {@link Long#MAX_VALUE} for the newest
   */
  void visitBefore(long before, Visitor visitor);

  /** Sees one id of a {@link #visitBefore} walk. */
  @FunctionalInterface
  interface Visitor {
    /** Sees the id at {@code position}; answers whether the walk goes on to older ids. */
    boolean visit(long position, JobId id);
  }
}
