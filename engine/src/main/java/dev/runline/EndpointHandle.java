package dev.runline;

import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The routes of one endpoint for one authenticated caller. Every route goes through one
 * admission path: the route's limits for this caller ({@link #call} and {@link #callAsync}),
 * then the route's own work; jobs enter through {@link #submit}.
 */
final class EndpointHandle implements EndpointClient {
  private final RunlineEngine engine;
  private final String owner;
  private final EndpointRuntime endpoint;

  EndpointHandle(RunlineEngine engine, String owner, EndpointRuntime endpoint) {
    this.engine = engine;
    this.owner = owner;
    this.endpoint = endpoint;
  }

  @Override
  public String name() {
    return endpoint.name();
  }

  @Override
  public JobStatus run(JobRequest request) {
    return call(Route.RUN, () -> JobStatus.brief(submit(request, false).idText(), Status.IN_QUEUE));
  }

  @Override
  public CompletableFuture<JobStatus> runSync(JobRequest request, Duration wait) {
    checkWait(wait);
    return callAsync(Route.RUNSYNC, () -> engine.longPolls.end(submit(request, true), wait, true));
  }

  @Override
  public JobStatus status(String jobId) {
    return status(jobId, null);
  }

  @Override
  public JobStatus status(String jobId, Duration ttl) {
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new InvalidRequestException("ttl must be a positive number of milliseconds, was " + ttl.toMillis());
    }
    return call(Route.STATUS, () -> {
      Job job = find(jobId);
      if (ttl != null) {
        engine.store.shorten(job, ttl.toNanos());
      }
      return job.statusBody();
    });
  }

  @Override
  public CompletableFuture<JobStatus> statusSync(String jobId, Duration wait) {
    checkWait(wait);
    return callAsync(Route.STATUS_SYNC, () -> engine.longPolls.end(find(jobId), wait, false));
  }

  @Override
  public CompletableFuture<StreamBatch> stream(String jobId, Duration wait) {
    checkWait(wait);
    return callAsync(Route.STREAM, () -> engine.longPolls.chunks(find(jobId), wait));
  }

  @Override
  public AutoCloseable subscribe(String jobId, StreamListener listener) {
    if (listener == null) {
      throw new InvalidRequestException("a listener is required");
    }
    return call(Route.STREAM, () -> find(jobId).subscribe(listener));
  }

  @Override
  public JobStatus cancel(String jobId) {
    return call(Route.CANCEL, () -> {
      Job job = find(jobId);
      return job.transition(Transitions.cancel(null)) != null ? JobStatus.brief(job.idText(), Status.CANCELLED)
          : job.statusBody();
    });
  }

  @Override
  public JobStatus retry(String jobId) {
    return call(Route.RETRY, () -> {
      Job job = find(jobId);
      Status status = job.state().status();
      if (status != Status.FAILED && status != Status.TIMED_OUT) {
        throw notRetryable(job, status);
      }
      admit(() -> {
        endpoint.reserve();
        if (!job.requeue()) {
          endpoint.unreserve();
          throw notRetryable(job, job.state().status());
        }
        endpoint.enqueue(job);
        return job;
      });
      return JobStatus.brief(job.idText(), Status.IN_QUEUE);
    });
  }

  @Override
  public Health health() {
    return call(Route.HEALTH, endpoint::health);
  }

  @Override
  public PurgeResult purgeQueue() {
    return call(Route.PURGE_QUEUE, () -> {
      Transition purge = Transitions.endQueued(Status.CANCELLED, null);
      long removed = 0;
      for (Job job : endpoint.queuedEverywhere()) {
        if (job.owner.equals(owner) && job.transition(purge) != null) {
          removed++;
        }
      }
      return PurgeResult.of(removed);
    });
  }

  @Override
  public RequestsPage requests(RequestsQuery query) {
    checkQuery(query);
    return call(Route.REQUESTS, () -> new RequestListing(endpoint, owner, query).page());
  }

  @Override
  public AutoCloseable followRequests(RequestsQuery query, Consumer<RequestsPage> listener) {
    checkQuery(query);
    if (listener == null) {
      throw new InvalidRequestException("a listener is required");
    }
    return call(Route.REQUESTS, () -> new RequestListing(endpoint, owner, query).follow(listener));
  }

  @Override
  public JobDetails details(String jobId) {
    return call(Route.STATUS, () -> {
      Job job = find(jobId);
      JobState s = job.state();
      return new JobDetails(
          s.toStatus(job.idText(), endpoint.now()),
          job.input,
          engine.instant(s.queuedAt()),
          s.wasStarted() ? engine.instant(s.startedAt()) : null,
          s.status().isTerminal() ? engine.instant(s.endedAt()) : null,
          job.streamSoFar(),
          job.lowPriority,
          Duration.ofMillis(job.executionTimeoutMillis()),
          Duration.ofMillis(job.ttlMillis()),
          job.webhook(),
          job.webhook() == null ? List.of() : engine.webhooks.deliveries(job.idText()));
    });
  }

  // ---- admission ---------------------------------------------------------------------

  /** Runs a route that answers at once, within its limits for this caller. */
  private <T> T call(Route route, Supplier<T> work) {
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, route);
    try {
      return work.get();
    } finally {
      permit.release();
    }
  }

  /** Runs a long poll, which holds its place among the route's concurrent calls until its future completes. */
  private <T> CompletableFuture<T> callAsync(Route route, Supplier<CompletableFuture<T>> work) {
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, route);
    CompletableFuture<T> answer;
    try {
      answer = work.get();
    } catch (RuntimeException | Error e) {
      permit.release();
      throw e;
    }
    if (answer.isDone() || permit == RouteLimiter.Permit.NONE) {
      permit.release();
      return answer;
    }
    return answer.whenComplete((value, error) -> permit.release());
  }

  /** A new job, stored and queued, or a refusal with nothing accepted. */
  private Job submit(JobRequest request, boolean sync) {
    if (request == null) {
      throw new InvalidRequestException("a request body is required: {\"input\": {...}}");
    }
    request.validate();
    Policy policy = request.policy().orElse(endpoint.config.defaultPolicy());
    return admit(() -> {
      endpoint.reserve();
      JobId id = engine.store.newId(sync);
      Job job = new Job(id, endpoint, owner, request, policy, sync, endpoint.now());
      engine.store.insert(job);
      endpoint.enqueue(job);
      if (endpoint.recent != null) {
        endpoint.recent.add(id, owner);
      }
      return job;
    });
  }

  /**
   * Puts a job into the queue, unless the engine is closing. A caller counts itself in
   * {@code admitting} before the check, and close waits for that count to reach zero, so
   * every job that passes it is queued before the intake stops.
   */
  private Job admit(Supplier<Job> enqueue) {
    endpoint.admitting.increment();
    try {
      if (!engine.isAccepting()) {
        throw new EngineClosedException("the engine is shutting down and accepts no new jobs");
      }
      return enqueue.get();
    } finally {
      endpoint.admitting.decrement();
      engine.changed();
    }
  }

  private Job find(String jobId) {
    Job job = engine.find(JobId.parse(jobId));
    if (job == null || job.endpoint != endpoint || !job.owner.equals(owner)) {
      throw new NotFoundException("no job '" + jobId + "' on endpoint '" + endpoint.name()
          + "' for this API key (results are kept for a limited time after a job ends)");
    }
    return job;
  }

  private static InvalidRequestException notRetryable(Job job, Status status) {
    return new InvalidRequestException("job '" + job.idText() + "' is " + status
        + "; only FAILED or TIMED_OUT jobs can be retried");
  }

  private static void checkQuery(RequestsQuery query) {
    if (query == null) {
      throw new InvalidRequestException("a query is required, e.g. RequestsQuery.newest()");
    }
  }

  private static void checkWait(Duration wait) {
    if (wait == null || wait.isNegative()) {
      throw new InvalidRequestException("wait must be zero or a positive number of milliseconds, was "
          + (wait == null ? "missing" : wait.toMillis()));
    }
  }
}
