package dev.runline.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Spin, then yield until the budget is spent, then tell the caller to block. */
class BackoffTest {
  @Test
  void withNoBudgetsItTellsTheCallerToBlockAtItsFirstLookAtTheClock() {
    Backoff backoff = new Backoff(0, 0);

    assertThat(backoff.pause()).isFalse();
  }

  @Test
  void itKeepsPausingUntilItsBudgetsAreSpentThenTellsTheCallerToBlock() {
    Backoff backoff = new Backoff(1_000, 1_000);
    long pauses = 0;
    while (backoff.pause()) {
      pauses++;
    }

    assertThat(pauses).isPositive();
    assertThat(backoff.pause()).as("once spent, spent").isFalse();
  }

  @Test
  void aLongBudgetKeepsItAwake() {
    Backoff backoff = new Backoff(0, Long.MAX_VALUE);

    for (int i = 0; i < 100; i++) {
      assertThat(backoff.pause()).isTrue();
    }
  }
}
