package dev.runline;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An embedded serverless job engine: every route of the endpoint API as a method.
 *
 * <p>Each method takes the caller's API key first. When the engine was built with keys, a
 * call must carry one of them ({@link UnauthorizedException} otherwise) and a job is visible
 * only to the key that created it (another key gets {@link NotFoundException}). When it was
 * built without keys, it is open: the key is ignored and every caller sees every job.
 *
 * <p>Refusals are thrown as subclasses of {@link RunlineException}, before any future is
 * returned; a returned future always completes normally.
 *
 * <p>Obtain one from {@link #builder()} or {@link dev.runline.config.RunlineConfig}.
 */
public interface Runline extends AutoCloseable {

  static RunlineBuilder builder() {
    return new RunlineBuilder();
  }

  /** Queues a job; answers {@code {id, status: IN_QUEUE}} at once. */
  JobStatus run(String apiKey, String endpoint, JobRequest request);

  /**
   * Queues a job and completes with its full status body once it is terminal, or with
   * {@code {id, status, delayTime?}} when {@code wait} passes first.
   */
  CompletableFuture<JobStatus> runSync(String apiKey, String endpoint, JobRequest request, Duration wait);

  /** The job's status body, at once. */
  JobStatus status(String apiKey, String endpoint, String jobId);

  /**
   * The job's status body; {@code ttl} (when not null) shortens how long the job is kept
   * from now on.
   */
  JobStatus status(String apiKey, String endpoint, String jobId, Duration ttl);

  /** Completes with the job's status body once it is terminal or {@code wait} passes. */
  CompletableFuture<JobStatus> statusSync(String apiKey, String endpoint, String jobId, Duration wait);

  /**
   * Completes with the chunks produced since the previous call (each is returned once).
   * When there is none yet and the job is not terminal, waits up to {@code wait} for one.
   */
  CompletableFuture<StreamBatch> stream(String apiKey, String endpoint, String jobId, Duration wait);

  /**
   * Pushes the job's chunks to {@code listener}: those produced so far, then each new one as
   * it is produced, then the terminal status. It does not consume what {@link #stream}
   * returns. Close the returned handle to stop.
   */
  AutoCloseable subscribe(String apiKey, String endpoint, String jobId, StreamListener listener);

  /**
   * Cancels a queued job (it never starts) or a running one (its worker is interrupted).
   * On a job already terminal, answers its unchanged status body.
   */
  JobStatus cancel(String apiKey, String endpoint, String jobId);

  /**
   * Re-queues a FAILED or TIMED_OUT job under the same id and input.
   *
   * @throws InvalidRequestException for a job in any other state
   */
  JobStatus retry(String apiKey, String endpoint, String jobId);

  /** The endpoint's job and worker counts. */
  Health health(String apiKey, String endpoint);

  /** Cancels every job of the endpoint still queued; running jobs go on. */
  PurgeResult purgeQueue(String apiKey, String endpoint);

  /**
   * The endpoint's counts without a key or a rate limit: for the host's own monitoring
   * (e.g. metrics), never for callers of the API.
   */
  Health healthOf(String endpoint);

  /** The names of the registered endpoints. */
  Set<String> endpoints();

  /**
   * Stops intake, then drains or cancels what is queued (see {@link ShutdownMode}) and stops
   * the backends. Every accepted job ends in a terminal state.
   */
  @Override
  void close();
}
