package dev.runline.benchmarks;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.IntakeWaitStrategy;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.util.Map;

/**
 * The job every benchmark runs on both sides: an echo of a small input. The job itself costs
 * next to nothing, so what is measured is the machinery around it: admission, queueing,
 * hand-off to a worker, state tracking and completion.
 */
final class NoopJobs {
  static final String ENDPOINT = "noop";
  static final Map<String, Object> INPUT = Map.of("prompt", "hello");

  /** Far above any batch a benchmark keeps in flight, so "queue full" never interferes. */
  static final int QUEUE_CAPACITY = 1 << 16;

  private NoopJobs() {}

  /**
   * An open engine (no API keys) with one endpoint on the cpu backend and every rate and
   * concurrency limit off: the route limits exist to protect a shared service, and here they
   * would only cap the figure being measured.
   */
  static Runline engine(int workers, String intake, Handler handler) {
    return intake(Runline.builder(), intake)
        .endpoint(endpoint(workers, handler).build())
        .build();
  }

  /**
   * The intake named by a benchmark's {@code intake} parameter: {@code direct} (the engine's
   * default: jobs handed to the backend on the submitting thread), or an
   * {@link IntakeWaitStrategy} by name for a Disruptor ring waiting that way.
   */
  static RunlineBuilder intake(RunlineBuilder builder, String intake) {
    return intake.equalsIgnoreCase("direct") ? builder
        : builder.intakeWaitStrategy(IntakeWaitStrategy.valueOf(intake.toUpperCase(java.util.Locale.ROOT)));
  }

  /** The endpoint of {@link #engine}, still open to changes (e.g. limits back on). */
  static Endpoint.Builder endpoint(int workers, Handler handler) {
    return Endpoint.builder(ENDPOINT)
        .handler(handler)
        .workers(workers)
        .queueCapacity(QUEUE_CAPACITY)
        .unlimited();
  }
}
