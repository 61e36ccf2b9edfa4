package dev.runline;

/** What {@code /purge-queue} answers: how many queued jobs it removed. */
public record PurgeResult(long removed, String status) {
  public static PurgeResult of(long removed) {
    return new PurgeResult(removed, "completed");
  }
}
