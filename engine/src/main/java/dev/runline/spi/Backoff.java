package dev.runline.spi;

/**
 * How a thread waits awake for something that usually comes soon: a few spins, then
 * {@link Thread#yield()} until a time budget is spent; after that the caller blocks.
 *
 * <p>Under a steady stream of jobs (or a client that sends its next request as soon as it has
 * the last answer) the next hand-off usually arrives within tens of microseconds, and taking
 * it awake saves a park and an unpark, a system call each and tens of microseconds on a
 * virtual machine. Yielding lets every other runnable thread go first, so a waiting thread
 * takes no processor time that another wants; once the budget is spent the caller parks and
 * an idle endpoint uses no CPU.
 *
 * <pre>{@code
 * Backoff backoff = new Backoff(SPINS, YIELD_NANOS);
 * do {
 *   if (ready()) return;
 * } while (backoff.pause());
 * block();
 * }</pre>
 */
public final class Backoff {
  private final long yieldNanos;
  private int spinsLeft;
  private boolean yielding;
  private long yieldingSince;

  /**
   * @param spins how many times {@link #pause} spins before it yields
   * @param yieldNanos how long it yields after the spins, in all
   */
  public Backoff(int spins, long yieldNanos) {
    this.spinsLeft = spins;
    this.yieldNanos = yieldNanos;
  }

  /**
   * Waits a little: a spin while spins are left, then a yield while the budget lasts.
   *
   * @return {@code false} once the budget is spent: the caller should block
   */
  public boolean pause() {
    if (spinsLeft > 0) {
      spinsLeft--;
      Thread.onSpinWait();
      return true;
    }
    long now = System.nanoTime();
    if (!yielding) {
      yielding = true;
      yieldingSince = now;
    } else if (now - yieldingSince >= yieldNanos) {
      return false;
    }
    Thread.yield();
    return true;
  }
}
