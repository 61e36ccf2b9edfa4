package dev.runline;

/** The state of a job, as the endpoint API names it. */
public enum Status {
  IN_QUEUE,
  IN_PROGRESS,
  COMPLETED,
  FAILED,
  CANCELLED,
  TIMED_OUT;

  /** Whether a job in this state will not change again (unless {@code retry} re-queues it). */
  public boolean isTerminal() {
    return ordinal() >= COMPLETED.ordinal();
  }
}
