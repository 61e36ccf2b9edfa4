package dev.runline;

import java.util.List;

/**
 * One page of {@code /requests}: the caller's jobs, newest first, as status bodies (their
 * inputs are not part of a status body), and the cursor of the next page, {@code null} when
 * this is the last.
 */
public record RequestsPage(List<JobStatus> jobs, String nextCursor) {
  public RequestsPage {
    jobs = List.copyOf(jobs);
  }
}
