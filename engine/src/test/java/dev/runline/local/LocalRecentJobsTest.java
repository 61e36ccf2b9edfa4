package dev.runline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.spi.JobId;
import dev.runline.spi.RecentJobs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory window of recent job ids: newest first, bounded, walked from a position. */
class LocalRecentJobsTest {
  private static final String OWNER = "an owner";

  private static List<Long> positions(RecentJobs window, long before, int max) {
    List<Long> seen = new ArrayList<>();
    window.visitBefore(OWNER, before, (position, id) -> {
      seen.add(position);
      return seen.size() < max;
    });
    return seen;
  }

  @Test
  void aWalkSeesTheIdsNewestFirstWithTheirPositions() {
    RecentJobs window = LocalRecentJobs.of(10);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JobId id = JobId.random(false);
      ids.add(id);
      window.add(id, OWNER);
    }
    List<JobId> seen = new ArrayList<>();

    window.visitBefore(OWNER, Long.MAX_VALUE, (position, id) -> seen.add(id));

    assertThat(seen).containsExactly(ids.get(3), ids.get(2), ids.get(1), ids.get(0));
    assertThat(positions(window, Long.MAX_VALUE, 10)).containsExactly(3L, 2L, 1L, 0L);
  }

  @Test
  void aWalkStartsBelowThePositionGivenAndStopsWhenTheVisitorSaysSo() {
    RecentJobs window = LocalRecentJobs.of(10);
    for (int i = 0; i < 6; i++) {
      window.add(JobId.random(false), OWNER);
    }

    assertThat(positions(window, 4, 10)).containsExactly(3L, 2L, 1L, 0L);
    assertThat(positions(window, Long.MAX_VALUE, 2)).containsExactly(5L, 4L);
  }

  @Test
  void onlyTheLastCapacityIdsAreKept() {
    RecentJobs window = LocalRecentJobs.of(3);
    for (int i = 0; i < 7; i++) {
      window.add(JobId.random(i % 2 == 0), i % 2 == 0 ? OWNER : "another owner");
    }

    assertThat(positions(window, Long.MAX_VALUE, 10)).containsExactly(6L, 5L, 4L);
    assertThat(positions(window, 2, 10)).as("positions that left the window").isEmpty();
  }

  @Test
  void aWindowNeedsRoomForOneId() {
    assertThatThrownBy(() -> LocalRecentJobs.of(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, was 0");
  }
}
