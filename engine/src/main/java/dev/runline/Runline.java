package dev.runline;

/**
 * An embedded serverless job engine: every route of the endpoint API, called in process.
 *
 * <pre>{@code
 * try (Runline engine = Runline.builder()
 *     .apiKeys("my-secret-key")
 *     .endpoint(Endpoint.builder("echo").handler(job -> job.input()).build())
 *     .build()) {
 *   EndpointClient echo = engine.as("my-secret-key").endpoint("echo");
 *   JobStatus queued = echo.run(JobRequest.of("hi"));
 *   JobStatus done = echo.statusSync(queued.id(), Duration.ofSeconds(30)).join();
 * }
 * }</pre>
 *
 * <p>Every route is called as a caller holding an API key ({@link #as}). When the engine was
 * built with keys, the caller must hold one of them and sees only the jobs it created; built
 * without keys, it is open: the key is ignored and every caller sees every job. What needs no
 * key (health for the host's own monitoring, maintenance) is behind {@link #inspect()}, never
 * reachable by a caller of the API.
 *
 * <p>Obtain one from {@link #builder()} or {@link dev.runline.config.RunlineConfig}.
 */
public interface Runline extends AutoCloseable {

  static RunlineBuilder builder() {
    return new RunlineBuilder();
  }

  /**
   * The routes as the holder of {@code apiKey} (ignored, and may be {@code null}, when the
   * engine is open).
   *
   * @throws UnauthorizedException when the engine has keys and {@code apiKey} is none of them
   */
  Caller as(String apiKey);

  /** What the host may see and do without a key: never hand it to callers of the API. */
  Inspection inspect();

  /**
   * Opens a batch of hand-offs on this thread: the jobs it admits until the batch closes reach
   * their backends together at the close, one wake-up of a parked worker serving them all.
   * For a server that reads many requests at a time; close it on the same thread, soon (the
   * jobs wait until then). A batch already open on this thread stays the one jobs join.
   */
  HandOffs batchHandOffs();

  /**
   * Stops intake, then drains or cancels what is queued (see {@link ShutdownMode}) and stops
   * the backends. Every accepted job ends in a terminal state.
   */
  @Override
  void close();
}
