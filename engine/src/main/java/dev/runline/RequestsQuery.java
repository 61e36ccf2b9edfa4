package dev.runline;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code /requests} lists: the caller's recent jobs on the endpoint in one of
 * {@code statuses} (all when empty), at most {@code limit} of them, after {@code cursor} (the
 * {@link RequestsPage#nextCursor()} of the page before, or {@code null} for the newest).
 *
 * @throws InvalidRequestException when {@code limit} is out of range
 */
public record RequestsQuery(Set<Status> statuses, int limit, String cursor) {
  /** The page size when none is asked for. */
  public static final int DEFAULT_LIMIT = 50;
  /** The largest page. */
  public static final int MAX_LIMIT = 500;

  public RequestsQuery {
    statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException("limit must be a whole number from 1 to " + MAX_LIMIT + ", was " + limit);
    }
  }

  /** The newest {@value #DEFAULT_LIMIT} jobs, of any status. */
  public static RequestsQuery newest() {
    return new RequestsQuery(Set.of(), DEFAULT_LIMIT, null);
  }

  /** This query, for jobs in one of {@code statuses} only (none: every status). */
  public RequestsQuery withStatuses(Set<Status> statuses) {
    return new RequestsQuery(statuses, limit, cursor);
  }

  public RequestsQuery withLimit(int limit) {
    return new RequestsQuery(statuses, limit, cursor);
  }

  /** The page after the one that answered {@code cursor}. */
  public RequestsQuery after(String cursor) {
    return new RequestsQuery(statuses, limit, Objects.requireNonNull(cursor, "cursor"));
  }
}
