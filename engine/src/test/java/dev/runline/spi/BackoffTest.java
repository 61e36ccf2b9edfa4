package dev.runline.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Spin, then yield until the budget is spent, then tell the caller to block. */
class BackoffTest {
  @Test
  void itSpinsItsSpinsThenYieldsUntilTheBudgetIsSpent() {
    Backoff backoff = new Backoff(3, 0);

    assertThat(backoff.pause()).isTrue();
    assertThat(backoff.pause()).isTrue();
    assertThat(backoff.pause()).isTrue();
    // The first yield starts the budget; a budget of zero is spent at the next look.
    assertThat(backoff.pause()).isTrue();
    assertThat(backoff.pause()).isFalse();
  }

  @Test
  void aLongBudgetKeepsItAwake() {
    Backoff backoff = new Backoff(0, Long.MAX_VALUE);

    for (int i = 0; i < 100; i++) {
      assertThat(backoff.pause()).isTrue();
    }
  }
}
