package dev.runline.remote;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The backend of a {@code remote} endpoint as its worker processes reach it: what each request
 * of the service's worker protocol does, without the HTTP (the server maps its routes
 * {@code job-take}, {@code job-take-batch}, {@code job-stop}, {@code job-done},
 * {@code job-stream} and {@code ping} onto these methods). A host finds it with
 * {@code engine.inspect().backend(endpoint, RemoteWorkers.class)}.
 *
 * <p>A job handed out is <em>leased</em> to its worker: while the worker sends heartbeats
 * naming it, or results for it, within the endpoint's {@code leaseTimeout}, it is the worker's;
 * otherwise it is taken back and offered again ({@code maxRedeliveries} times over its life),
 * then ends FAILED naming the lost worker. A job cancelled, timed out or expired while a worker
 * runs it is put on that worker's stop list ({@link #stopSignals}).
 *
 * <p>Waits ({@link #take}, {@link #stopSignals}) are futures completed by a job or a stop
 * signal, or empty when the endpoint's {@code takeWait} passes: no thread waits for them.
 * A worker id is 1 to 256 printable characters; anything else is refused with an
 * {@link IllegalArgumentException}.
 */
public interface RemoteWorkers {

  /**
   * Jobs for {@code workerId}: at most {@code batchSize} (clamped to 1..{@code maxBatch}), each
   * already IN_PROGRESS on that worker; an empty list when none came within {@code takeWait}.
   * Cancelling the future (the worker went away) gives up the wait.
   *
   * @throws WorkerThrottledException when the worker asks faster than {@code maxTakeRate}
   */
  CompletableFuture<List<WorkerJob>> take(String workerId, int batchSize);

  /**
   * The ids of jobs {@code workerId} must stop (cancelled, timed out or expired while it runs
   * them, or taken back from it), each told once; held until there is one or
   * {@code takeWait} passes (then empty).
   */
  CompletableFuture<List<String>> stopSignals(String workerId);

  /** A result, or a progress update, that {@code workerId} reports for job {@code jobId}. */
  ReportAnswer report(String workerId, String jobId, WorkerResult result);

  /** A stream chunk that {@code workerId} reports for job {@code jobId}. */
  ReportAnswer streamChunk(String workerId, String jobId, Object chunk);

  /**
   * A heartbeat: {@code workerId} is alive and runs {@code jobIds}, whose leases it renews; a
   * job it names that is no longer its own goes on its stop list.
   *
   * @param unhealthyReason why the worker reports itself unhealthy, or {@code null} when it does not
   */
  void ping(String workerId, List<String> jobIds, String unhealthyReason);

  /** The counts since start, for metrics. */
  RemoteStats stats();
}
