package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code /health}'s job counts follow each transition; the queue count is also the bounded queue. */
class HealthCountersTest {
  private final HealthCounters counts = new HealthCounters();

  @Test
  void aPlaceIsReservedBeforeAJobExistsAndRefusedBeyondTheCapacity() {
    assertThat(counts.reserve(2)).isTrue();
    assertThat(counts.reserve(2)).isTrue();
    assertThat(counts.reserve(2)).isFalse();
    assertThat(counts.snapshot().inQueue()).isEqualTo(2);

    counts.unreserve();
    assertThat(counts.snapshot().inQueue()).isEqualTo(1);
  }

  @Test
  void aJobsLifeMovesItThroughTheCounts() {
    counts.reserve(10);
    counts.moved(Status.IN_QUEUE, Status.IN_PROGRESS);
    assertThat(counts.snapshot()).isEqualTo(new Health.Jobs(0, 0, 1, 0, 0));
    assertThat(counts.isIdle()).isFalse();

    counts.moved(Status.IN_PROGRESS, Status.FAILED);
    assertThat(counts.snapshot()).isEqualTo(new Health.Jobs(0, 1, 0, 0, 0));

    counts.reserve(10);
    counts.moved(Status.FAILED, Status.IN_QUEUE);
    assertThat(counts.snapshot()).isEqualTo(new Health.Jobs(0, 1, 0, 1, 1));

    counts.moved(Status.IN_QUEUE, Status.IN_PROGRESS);
    counts.moved(Status.IN_PROGRESS, Status.COMPLETED);
    assertThat(counts.snapshot()).isEqualTo(new Health.Jobs(1, 1, 0, 0, 1));
    assertThat(counts.isIdle()).isTrue();
  }

  @Test
  void aCancelledJobIsInNoCount() {
    counts.reserve(10);
    counts.moved(Status.IN_QUEUE, Status.CANCELLED);

    assertThat(counts.snapshot()).isEqualTo(new Health.Jobs(0, 0, 0, 0, 0));
  }
}
