package dev.runline;

/** What {@link Runline#close()} does with jobs still queued. */
public enum ShutdownMode {
  /** Run every queued job before stopping (bounded by the shutdown timeout). */
  DRAIN,
  /** Cancel every queued job; running jobs get the shutdown timeout to finish, then are cancelled. */
  CANCEL
}
