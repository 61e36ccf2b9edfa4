package dev.runline.spi;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * How an endpoint's admitted jobs reach its backend: the seam behind which the default,
 * a bounded in-process ring, may be replaced.
 *
 * <p>What every implementation must keep: {@link #offer} never blocks and refuses at once
 * when full (nothing is half-accepted); every job it accepted is handed to the context's
 * {@link Context#sink()} exactly once, in batches, on threads of the context's
 * {@link Context#threads()}; a batch whose hand-off throws goes to
 * {@link Context#onSinkFailure()}, so no job is left waiting for nothing; {@link #close()}
 * hands over every job accepted before it, then stops.
 */
public interface Intake extends AutoCloseable {

  /** Publishes a job for its backend; {@code false} when the intake is full. */
  boolean offer(QueuedJob job);

  /** Hands over every job accepted so far, then stops its threads. */
  @Override
  void close();

  /** What an intake is given for one endpoint. */
  interface Context {
    /** The endpoint's name, for thread names and messages. */
    String endpoint();

    /** How many jobs may wait in the intake at most (the endpoint's queue capacity). */
    int capacity();

    /** Makes the intake's threads. */
    ThreadFactory threads();

    /** Takes each batch: the backend's dispatch. The list is reused after the call. */
    Consumer<List<QueuedJob>> sink();

    /** Takes a batch whose hand-off to the sink threw; its jobs must not be lost. */
    Consumer<List<QueuedJob>> onSinkFailure();
  }

  /** Opens the intake of one endpoint. */
  @FunctionalInterface
  interface Factory {
    Intake open(Context context);
  }
}
