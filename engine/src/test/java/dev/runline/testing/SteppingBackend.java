package dev.runline.testing;

import dev.runline.Health;
import dev.runline.spi.Attempt;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.QueuedJob;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend that runs nothing by itself: the jobs the engine dispatches wait here until a
 * test takes them ({@link #next()}) and steps each by hand: start it, emit chunks, publish
 * progress, complete or fail its attempt, or leave it running while time passes. Every
 * interleaving a test wants is one it writes down, on one thread.
 *
 * <pre>{@code
 * SteppingBackend backend = new SteppingBackend("stepped");
 * Runline engine = Engines.builder(time).backend(backend.provider())
 *     .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped").build()).build();
 * String id = engine.as(KEY).endpoint("e").run(JobRequest.of("x")).id();
 * Attempt attempt = backend.next().start("w").orElseThrow();
 * attempt.complete("done");
 * }</pre>
 */
public final class SteppingBackend {
  private static final Duration DISPATCH = Duration.ofSeconds(10);

  private final String name;
  private final LinkedBlockingQueue<QueuedJob> dispatched = new LinkedBlockingQueue<>();

  public SteppingBackend(String name) {
    this.name = name;
  }

  /** Registers this backend under its name. */
  public BackendProvider provider() {
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Backend open(BackendContext context) {
        return new Backend() {
          @Override
          public void dispatch(List<QueuedJob> batch) {
            dispatched.addAll(batch);
          }

          @Override
          public Health.Workers workers() {
            return new Health.Workers(0, 0, 0, 0, 0, 0);
          }

          @Override
          public void close() {}
        };
      }
    };
  }

  /**
   * The next job the engine handed over, in order; waits for the intake's hand-off (a
   * liveness bound, not a timing: the hand-off is immediate unless the engine is broken).
   */
  public QueuedJob next() {
    try {
      QueuedJob job = dispatched.poll(DISPATCH.toMillis(), TimeUnit.MILLISECONDS);
      if (job == null) {
        throw new AssertionError("no job was dispatched to backend '" + name + "' within " + DISPATCH);
      }
      return job;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a dispatched job", e);
    }
  }

  /** Starts the next job on worker {@code workerId}; fails the test when it no longer waits. */
  public Attempt startNext(String workerId) {
    QueuedJob job = next();
    Optional<Attempt> attempt = job.start(workerId);
    return attempt.orElseThrow(() -> new AssertionError("job " + job.id() + " no longer waits"));
  }

  /** Jobs dispatched and not yet taken by the test. */
  public int waiting() {
    return dispatched.size();
  }
}
