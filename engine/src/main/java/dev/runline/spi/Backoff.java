package dev.runline.spi;

/**
 * How a thread waits awake for something that usually comes soon: it spins for a time
 * budget, then may yield for another, then the caller blocks.
 *
 * <p>Under a steady stream of jobs (or a client that sends its next request as soon as it has
 * the last answer) the next hand-off usually arrives within microseconds, and taking it
 * awake saves a park and an unpark, a system call each and several microseconds on a virtual
 * machine. The budgets are short: on a machine with few cores a thread that keeps spinning or
 * yielding takes a processor from the threads that produce the work (measured on two vCPUs: a
 * worker yielding for 50 µs between jobs made a synchronous round trip four times slower,
 * since the woken caller shared the processor with it). An idle thread parks and uses no CPU.
 *
 * <pre>{@code
 * Backoff backoff = new Backoff(SPIN_NANOS, 0);
 * do {
 *   if (ready()) return;
 * } while (backoff.pause());
 * block();
 * }</pre>
 */
public final class Backoff {
  /** Spins between two looks at the clock: the clock costs more than a spin. */
  private static final int SPINS_PER_LOOK = 64;

  private final long spinNanos;
  private final long yieldNanos;
  private long start;
  private int spins;
  private boolean spent;

  /**
   * @param spinNanos how long {@link #pause} spins, in all
   * @param yieldNanos how long it then yields, in all (0: not at all)
   */
  public Backoff(long spinNanos, long yieldNanos) {
    this.spinNanos = spinNanos;
    this.yieldNanos = yieldNanos;
  }

  /**
   * Waits a little: a spin while the spin budget lasts, then a yield while the yield budget
   * lasts.
   *
   * @return {@code false} once both are spent: the caller should block
   */
  public boolean pause() {
    if (spent) {
      return false;
    }
    if (spins++ % SPINS_PER_LOOK != 0) {
      Thread.onSpinWait();
      return true;
    }
    long now = System.nanoTime();
    if (spins == 1) {
      start = now;
    }
    long waited = now - start;
    if (waited < spinNanos) {
      Thread.onSpinWait();
      return true;
    }
    if (waited < spinNanos + yieldNanos) {
      Thread.yield();
      return true;
    }
    spent = true;
    return false;
  }
}
