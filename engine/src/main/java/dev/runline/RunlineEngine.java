package dev.runline;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link Runline}.
 *
 * <p>A job travels: <b>admission</b> on the caller's thread (API key, the route's token
 * bucket, request validation, a reserved place in the endpoint's bounded queue, the job
 * record put in the {@link JobStore}); <b>intake</b> through the endpoint's
 * {@link IntakeRing}, whose consumer hands each batch to the backend; <b>execution</b> on a
 * backend worker, which moves the job IN_QUEUE → IN_PROGRESS → terminal by compare-and-set
 * (see {@link Job}); <b>completion</b>, where the winning transition switches the record's
 * expiry from ttl to retention, wakes waiters and stream readers, counts the job for
 * {@code /health} and hands its webhook to the {@link WebhookSender}.
 *
 * <p>All time comes from one {@link Ticker} and all timers (execution timeouts, waits, store
 * expiry, webhook retries) from one {@link Scheduler}, so a test that injects both controls
 * time completely.
 */
final class RunlineEngine implements Runline {
  private static final Logger LOG = LoggerFactory.getLogger(RunlineEngine.class);
  /** How often running jobs are checked against their execution timeout. */
  static final long WATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  final Ticker ticker;
  final Scheduler scheduler;
  final Executor executor;
  final JobStore store;
  final WebhookSender webhooks;
  private final JobListener[] listeners;
  private final ApiKeys keys;
  private final Map<String, EndpointRuntime> endpoints;
  private final ShutdownMode shutdownMode;
  private final Duration shutdownTimeout;
  private final ScheduledExecutorService ownedTimer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean accepting = true;

  RunlineEngine(RunlineBuilder b, Map<String, BackendProvider> providers) {
    this.ticker = b.ticker;
    this.ownedTimer = b.scheduler == null ? RunlineBuilder.defaultTimer() : null;
    this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.forScheduledExecutorService(ownedTimer);
    this.executor = b.executor;
    this.keys = new ApiKeys(b.apiKeys);
    this.shutdownMode = b.shutdownMode;
    this.shutdownTimeout = b.shutdownTimeout;
    // The store's maintenance runs on the thread that triggers it: amortized over many jobs,
    // it is cheaper than waking a pool thread for each batch of writes.
    this.store = new JobStore(ticker, scheduler, Runnable::run);
    this.listeners = b.listeners.toArray(JobListener[]::new);
    this.webhooks = new WebhookSender(b.webhookAttempts, b.webhookRetryInterval, b.webhookTimeout, scheduler);
    Map<String, EndpointRuntime> byName = new LinkedHashMap<>();
    List<EndpointRuntime> started = new ArrayList<>();
    try {
      for (Endpoint endpoint : b.endpoints.values()) {
        EndpointRuntime runtime = new EndpointRuntime(endpoint, this);
        BackendProvider provider = providers.get(endpoint.backend());
        runtime.backend = provider.open(new BackendContext() {
          @Override
          public Endpoint endpoint() {
            return endpoint;
          }

          @Override
          public ThreadFactory threadFactory(String role) {
            return threads(endpoint.name() + "-" + role);
          }
        });
        runtime.ring = new IntakeRing(endpoint.queueCapacity(), b.waitStrategy, threads(endpoint.name() + "-intake"),
            runtime.backend::dispatch, runtime::onDispatchFailure);
        started.add(runtime);
        byName.put(endpoint.name(), runtime);
      }
    } catch (RuntimeException e) {
      for (EndpointRuntime runtime : started) {
        runtime.ring.close();
        runtime.backend.close();
      }
      if (ownedTimer != null) {
        ownedTimer.shutdownNow();
      }
      throw e;
    }
    this.endpoints = Collections.unmodifiableMap(byName);
    schedule(this::watch, WATCH_INTERVAL_NANOS);
    LOG.info("runline started: {} endpoint(s) {}, API keys {}", endpoints.size(), endpoints.keySet(),
        keys.isOpen() ? "off (open engine)" : "on");
  }

  static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "runline-" + name + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  Future<?> schedule(Runnable task, long delayNanos) {
    return scheduler.schedule(Runnable::run, task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Ends running jobs past their execution timeout. One periodic scan of the running jobs
   * (at most the endpoints' worker counts) costs nothing per job, where a timer per job
   * would cost a timer-queue insertion, removal and often a wake-up of the timer thread.
   */
  private void watch() {
    if (closed.get()) {
      return;
    }
    long now = ticker.read();
    for (EndpointRuntime endpoint : endpoints.values()) {
      endpoint.timeOutOverdue(now);
    }
    schedule(this::watch, WATCH_INTERVAL_NANOS);
  }

  void notifyTerminal(String endpoint, JobStatus status) {
    for (JobListener listener : listeners) {
      try {
        listener.onTerminal(endpoint, status);
      } catch (RuntimeException e) {
        LOG.warn("a job listener threw on job {}; ignored", status.id(), e);
      }
    }
  }

  boolean hasListeners() {
    return listeners.length > 0;
  }

  // ---- admission -----------------------------------------------------------------------

  private EndpointRuntime endpoint(String name) {
    EndpointRuntime runtime = name == null ? null : endpoints.get(name);
    if (runtime == null) {
      throw new NotFoundException("no endpoint named '" + name + "'; this server has " + endpoints.keySet());
    }
    return runtime;
  }

  private Job find(String owner, EndpointRuntime endpoint, String jobId) {
    Job job = jobId == null ? null : store.get(jobId);
    if (job == null || job.endpoint != endpoint || !job.owner.equals(owner)) {
      throw new NotFoundException("no job '" + jobId + "' on endpoint '" + endpoint.name()
          + "' for this API key (results are kept for a limited time after a job ends)");
    }
    return job;
  }

  private Job submit(String owner, EndpointRuntime endpoint, JobRequest request, boolean sync) {
    if (request == null) {
      throw new InvalidRequestException("a request body is required: {\"input\": {...}}");
    }
    request.validate();
    Policy policy = request.policy().orElse(endpoint.config.defaultPolicy());
    endpoint.admitting.increment();
    try {
      checkAccepting();
      endpoint.reserve();
      Job job = new Job(JobIds.next(sync), endpoint, owner, request, policy, sync, ticker.read());
      store.put(job);
      endpoint.enqueue(job);
      return job;
    } finally {
      endpoint.admitting.decrement();
    }
  }

  /**
   * Refuses new work once {@link #close()} began. Callers count themselves in
   * {@code admitting} before this check, and close waits for that count to reach zero, so
   * every job that passes it is enqueued before the intake stops.
   */
  private void checkAccepting() {
    if (!accepting) {
      throw new EngineClosedException("the engine is shutting down and accepts no new jobs");
    }
  }

  // ---- routes --------------------------------------------------------------------------

  @Override
  public JobStatus run(String apiKey, String endpointName, JobRequest request) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.RUN);
    try {
      return JobStatus.brief(submit(owner, endpoint, request, false).id, Status.IN_QUEUE);
    } finally {
      permit.release();
    }
  }

  @Override
  public CompletableFuture<JobStatus> runSync(String apiKey, String endpointName, JobRequest request, Duration wait) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    checkWait(wait);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.RUNSYNC);
    Job job;
    try {
      job = submit(owner, endpoint, request, true);
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
    return awaitTerminal(job, wait, true).whenComplete((status, error) -> permit.release());
  }

  @Override
  public JobStatus status(String apiKey, String endpointName, String jobId) {
    return status(apiKey, endpointName, jobId, null);
  }

  @Override
  public JobStatus status(String apiKey, String endpointName, String jobId, Duration ttl) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new InvalidRequestException("ttl must be a positive number of milliseconds, was " + ttl.toMillis());
    }
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.STATUS);
    try {
      Job job = find(owner, endpoint, jobId);
      if (ttl != null) {
        store.shorten(job, ttl);
      }
      return job.statusBody();
    } finally {
      permit.release();
    }
  }

  @Override
  public CompletableFuture<JobStatus> statusSync(String apiKey, String endpointName, String jobId, Duration wait) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    checkWait(wait);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.STATUS_SYNC);
    Job job;
    try {
      job = find(owner, endpoint, jobId);
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
    return awaitTerminal(job, wait, false).whenComplete((status, error) -> permit.release());
  }

  private CompletableFuture<JobStatus> awaitTerminal(Job job, Duration wait, boolean pendingForm) {
    CompletableFuture<JobStatus> terminal = job.terminal();
    if (terminal.isDone() || wait.isZero()) {
      return terminal.isDone() ? terminal : CompletableFuture.completedFuture(current(job, pendingForm));
    }
    CompletableFuture<JobStatus> result = new CompletableFuture<>();
    Future<?> timer = scheduler.schedule(executor, () -> {
      JobStatus now = current(job, pendingForm);
      // A job that ended just now is answered by its terminal signal, which follows at once:
      // no waiter sees an end before the listeners have heard of it.
      if (!now.status().isTerminal()) {
        result.complete(now);
      }
    }, wait.toNanos(), TimeUnit.NANOSECONDS);
    terminal.whenComplete((status, error) -> {
      // Answer first: the waiter need not wait for the timer's removal from the timer queue.
      result.complete(status);
      timer.cancel(false);
    });
    return result;
  }

  private static JobStatus current(Job job, boolean pendingForm) {
    JobStatus status = job.statusBody();
    return pendingForm && !status.status().isTerminal() ? status.pending() : status;
  }

  @Override
  public CompletableFuture<StreamBatch> stream(String apiKey, String endpointName, String jobId, Duration wait) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    checkWait(wait);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.STREAM);
    try {
      Job job = find(owner, endpoint, jobId);
      @SuppressWarnings("unchecked")
      CompletableFuture<Void>[] change = new CompletableFuture[1];
      StreamBatch now = job.drain(wait.isZero() ? null : change);
      if (now != null) {
        permit.release();
        return CompletableFuture.completedFuture(now);
      }
      CompletableFuture<StreamBatch> result = new CompletableFuture<>();
      AtomicBoolean once = new AtomicBoolean();
      Runnable answer = () -> {
        if (once.compareAndSet(false, true)) {
          result.complete(job.drain(null));
        }
      };
      Future<?> timer = scheduler.schedule(executor, answer, wait.toNanos(), TimeUnit.NANOSECONDS);
      change[0].whenComplete((v, error) -> {
        timer.cancel(false);
        answer.run();
      });
      return result.whenComplete((batch, error) -> permit.release());
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  @Override
  public AutoCloseable subscribe(String apiKey, String endpointName, String jobId, StreamListener listener) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    if (listener == null) {
      throw new InvalidRequestException("a listener is required");
    }
    endpoint.limiter.acquire(owner, Route.STREAM).release();
    return find(owner, endpoint, jobId).subscribe(listener);
  }

  @Override
  public JobStatus cancel(String apiKey, String endpointName, String jobId) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.CANCEL);
    try {
      Job job = find(owner, endpoint, jobId);
      return job.cancel(null) ? JobStatus.brief(job.id, Status.CANCELLED) : job.statusBody();
    } finally {
      permit.release();
    }
  }

  @Override
  public JobStatus retry(String apiKey, String endpointName, String jobId) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    RouteLimiter.Permit permit = endpoint.limiter.acquire(owner, Route.RETRY);
    try {
      Job job = find(owner, endpoint, jobId);
      Status status = job.state().status;
      if (status != Status.FAILED && status != Status.TIMED_OUT) {
        throw notRetryable(job, status);
      }
      endpoint.admitting.increment();
      try {
        checkAccepting();
        endpoint.reserve();
        if (!job.requeue()) {
          endpoint.inQueue.decrementAndGet();
          throw notRetryable(job, job.state().status);
        }
        store.restartTtl(job);
        endpoint.enqueue(job);
      } finally {
        endpoint.admitting.decrement();
      }
      return JobStatus.brief(job.id, Status.IN_QUEUE);
    } finally {
      permit.release();
    }
  }

  private static InvalidRequestException notRetryable(Job job, Status status) {
    return new InvalidRequestException("job '" + job.id + "' is " + status
        + "; only FAILED or TIMED_OUT jobs can be retried");
  }

  @Override
  public Health health(String apiKey, String endpointName) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    endpoint.limiter.acquire(owner, Route.HEALTH).release();
    return endpoint.health();
  }

  @Override
  public Health healthOf(String endpointName) {
    return endpoint(endpointName).health();
  }

  @Override
  public PurgeResult purgeQueue(String apiKey, String endpointName) {
    String owner = keys.authenticate(apiKey);
    EndpointRuntime endpoint = endpoint(endpointName);
    endpoint.limiter.acquire(owner, Route.PURGE_QUEUE).release();
    long removed = 0;
    for (Job job : endpoint.queuedJobs()) {
      if (job.owner.equals(owner) && job.endIfQueued(Status.CANCELLED, null)) {
        removed++;
      }
    }
    return PurgeResult.of(removed);
  }

  @Override
  public Set<String> endpoints() {
    return endpoints.keySet();
  }

  private static void checkWait(Duration wait) {
    if (wait == null || wait.isNegative()) {
      throw new InvalidRequestException("wait must be zero or a positive number of milliseconds, was "
          + (wait == null ? "missing" : wait.toMillis()));
    }
  }

  /** Runs the store's pending expiry work now (for tests with a manual ticker). */
  void cleanUp() {
    store.cleanUp();
  }

  // ---- shutdown ------------------------------------------------------------------------

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    accepting = false;
    for (EndpointRuntime endpoint : endpoints.values()) {
      while (endpoint.admitting.sum() != 0) {
        LockSupport.parkNanos(100_000L);
      }
    }
    if (shutdownMode == ShutdownMode.CANCEL) {
      cancelQueued();
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    while (!allIdle() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(1_000_000L);
    }
    if (!allIdle()) {
      LOG.warn("runline shutdown: jobs still unfinished after {} ms; cancelling them", shutdownTimeout.toMillis());
      for (EndpointRuntime endpoint : endpoints.values()) {
        endpoint.cancelAll("cancelled: the engine shut down");
      }
    }
    for (EndpointRuntime endpoint : endpoints.values()) {
      endpoint.ring.close();
      endpoint.backend.close();
      // Whatever a backend left unstarted or unfinished still ends in a terminal state.
      endpoint.cancelAll("cancelled: the engine shut down");
    }
    webhooks.close();
    if (ownedTimer != null) {
      ownedTimer.shutdownNow();
    }
    LOG.info("runline stopped");
  }

  private void cancelQueued() {
    for (EndpointRuntime endpoint : endpoints.values()) {
      for (Job job : endpoint.queuedJobs()) {
        job.endIfQueued(Status.CANCELLED, "cancelled: the engine shut down");
      }
    }
  }

  private boolean allIdle() {
    for (EndpointRuntime endpoint : endpoints.values()) {
      if (!endpoint.isIdle()) {
        return false;
      }
    }
    return true;
  }
}
