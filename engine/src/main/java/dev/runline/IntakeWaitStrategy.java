package dev.runline;

/**
 * How the intake ring's consumer waits for work: a trade between hand-off latency and CPU
 * use while idle (the Disruptor's wait strategies).
 */
public enum IntakeWaitStrategy {
  /**
   * Spins briefly, then yields for up to 100 µs, then parks until signalled: under a steady
   * stream of jobs the consumer is awake when the next arrives, so a hand-off costs no
   * wake-up, and yielding leaves the processor to any other thread that wants it; an idle
   * endpoint's consumer parks and uses no CPU.
   */
  PHASED,
  /** Parks on a lock until signalled: no CPU while idle, a lock per hand-off. */
  BLOCKING,
  /** Parks only when there is a waiter to signal: no CPU while idle, cheaper publishing. */
  LITE_BLOCKING,
  /** Spins, then yields, then sleeps briefly: low publishing cost, some CPU while idle. */
  SLEEPING,
  /** Spins, then yields: low latency, a busy core while idle. */
  YIELDING,
  /** Spins: the lowest latency, a core burnt per endpoint. */
  BUSY_SPIN
}
