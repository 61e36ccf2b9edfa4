package dev.runline.testing;

import dev.runline.Handler;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WorkerPool;

/**
 * The engine's specifications run their handlers on this backend: a pool of worker threads
 * running each job's attempt through the endpoint's handler, on the shared {@link WorkerPool}
 * base. It registers as {@code cpu}, the endpoints' default backend, standing in for the
 * {@code cpu} module, which depends on the engine and so cannot be the engine's test
 * dependency.
 */
public final class ThreadsBackend extends WorkerPool {
  private final Handler handler;

  private ThreadsBackend(BackendContext context) {
    super(context, "cpu");
    this.handler = context.handler();
    startWorkers();
  }

  @Override
  protected void work(Worker worker, QueuedJob job) {
    worker.start(job).ifPresent(attempt -> attempt.run(handler));
  }

  /** Provides this backend under the name {@code cpu}. */
  public static BackendProvider provider() {
    return new BackendProvider() {
      @Override
      public String name() {
        return "cpu";
      }

      @Override
      public Backend open(BackendContext context) {
        return new ThreadsBackend(context);
      }
    };
  }
}
