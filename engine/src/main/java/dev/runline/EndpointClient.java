package dev.runline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The routes of one endpoint, as one caller ({@link Caller#endpoint}). Each call passes the
 * route's rate and concurrency limits for this caller first; a long poll holds its place
 * among the route's concurrent calls until its future completes.
 *
 * <p>Refusals are thrown as subclasses of {@link RunlineException}, before any future is
 * returned; a returned future always completes normally. A job of another caller is
 * {@link NotFoundException}, as an unknown one is.
 */
public interface EndpointClient {
  /** The endpoint's name. */
  String name();

  /** Queues a job; answers {@code {id, status: IN_QUEUE}} at once. */
  JobStatus run(JobRequest request);

  /**
   * Queues a job and completes with its full status body once it is terminal, or with
   * {@code {id, status, delayTime?}} when {@code wait} passes first.
   */
  CompletableFuture<JobStatus> runSync(JobRequest request, Duration wait);

  /** The job's status body, at once. */
  JobStatus status(String jobId);

  /**
   * The job's status body; {@code ttl} (when not null) shortens how long the job is kept
   * from now on.
   */
  JobStatus status(String jobId, Duration ttl);

  /** Completes with the job's status body once it is terminal or {@code wait} passes. */
  CompletableFuture<JobStatus> statusSync(String jobId, Duration wait);

  /**
   * Completes with the chunks produced since the previous call (each is returned once).
   * When there is none yet and the job is not terminal, waits up to {@code wait} for one.
   */
  CompletableFuture<StreamBatch> stream(String jobId, Duration wait);

  /**
   * Pushes the job's chunks to {@code listener}: those produced so far, then each new one as
   * it is produced, then the terminal status. It does not consume what {@link #stream}
   * returns. Close the returned handle to stop.
   */
  AutoCloseable subscribe(String jobId, StreamListener listener);

  /**
   * Cancels a queued job (it never starts) or a running one (its worker is interrupted).
   * On a job already terminal, answers its unchanged status body.
   */
  JobStatus cancel(String jobId);

  /**
   * Re-queues a FAILED or TIMED_OUT job under the same id and input.
   *
   * @throws InvalidRequestException for a job in any other state
   */
  JobStatus retry(String jobId);

  /** The endpoint's job and worker counts. */
  Health health();

  /** Cancels every job of this caller still queued on the endpoint; running jobs go on. */
  PurgeResult purgeQueue();

  /**
   * The caller's recent jobs on this endpoint, newest first, as status bodies (without
   * inputs), a page at a time: {@code /requests}. Lists from the endpoint's window of its
   * most recent jobs ({@link Endpoint#recentJobs()}); a job that expired, or another
   * caller's, never appears.
   *
   * @throws InvalidRequestException for a cursor this engine did not give out, or when the
   *     endpoint's listing is off
   */
  RequestsPage requests(RequestsQuery query);

  /**
   * {@link #requests} pushed: tells {@code listener} the page now, then again whenever it
   * changes (a job joins or leaves it, or one of its jobs changes state), looked at every
   * second, until the returned handle is closed. Called on one thread at a time; keep it
   * quick. Passes the route's limits once, when it starts.
   */
  AutoCloseable followRequests(RequestsQuery query, Consumer<RequestsPage> listener);

  /**
   * Everything kept about one of the caller's jobs: its status body, input, timeline,
   * stream and webhook deliveries. Limited as {@link #status} is.
   */
  JobDetails details(String jobId);
}
