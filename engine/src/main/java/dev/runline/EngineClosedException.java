package dev.runline;

/** The engine is shutting down and accepts no new work. */
public final class EngineClosedException extends RunlineException {
  public EngineClosedException(String message) {
    super(Reason.ENGINE_CLOSED, message);
  }
}
