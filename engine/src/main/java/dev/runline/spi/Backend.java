package dev.runline.spi;

import dev.runline.Health;
import java.util.List;

/**
 * Runs one endpoint's jobs. The engine hands it jobs in the batches its intake ring
 * delivers, on the ring's consumer thread; the backend decides where and how they run.
 */
public interface Backend extends AutoCloseable {

  /**
   * Takes a batch of queued jobs. Must not block for long: queue them, then return. The list
   * is reused after the call; keep the jobs, not the list. A job may have been cancelled
   * meanwhile; {@link QueuedJob#start} tells.
   */
  void dispatch(List<QueuedJob> batch);

  /** The backend's worker counts for {@code /health}. */
  Health.Workers workers();

  /**
   * Stops the workers. Called once the engine has drained or cancelled every queued job;
   * a job still running is interrupted. Returns when every worker has stopped.
   */
  @Override
  void close();
}
