package dev.runline;

/** What {@code /health} answers. */
public record Health(Jobs jobs, Workers workers) {

  /** Job counts: queued and running now; completed, failed and retried since start. */
  public record Jobs(long completed, long failed, long inProgress, long inQueue, long retried) {}

  /** Worker counts from the endpoint's backend. */
  public record Workers(int idle, int initializing, int ready, int running, int throttled, int unhealthy) {}
}
