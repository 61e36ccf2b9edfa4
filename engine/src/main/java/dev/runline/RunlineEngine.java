package dev.runline;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.Intake;
import dev.runline.spi.JobId;
import dev.runline.spi.JobRecord;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.SharedJobStore;
import dev.runline.spi.StoredJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link Runline}: it wires the endpoints, their intakes and backends to
 * one job store, watches execution timeouts, and shuts down.
 *
 * <h2>How a job travels</h2>
 *
 * <ol>
 *   <li><b>Admission</b>, on the caller's thread ({@link EndpointHandle}): the caller's key
 *       ({@link Runline#as}), the route's token bucket and concurrency limit for that key
 *       ({@link RouteLimiter}), the request's checks, a place in the endpoint's bounded queue
 *       ({@link HealthCounters}), the new {@link Job} inserted in the {@link JobStore} and
 *       offered to the endpoint's {@link Intake}. A refusal at any step leaves nothing
 *       behind.
 *   <li><b>Intake</b>: the endpoint's {@link Intake} hands the jobs to the backend: by
 *       default at once, on the admitting thread, into the backend's own queue of waiting jobs.
 *   <li><b>Execution</b>: a backend worker starts the job ({@code QueuedJob.start}), which
 *       moves it IN_QUEUE → IN_PROGRESS and hands back its attempt; the worker runs the
 *       endpoint's handler through the attempt, or computes a batch of attempts itself, and
 *       ends each attempt once.
 *   <li><b>Completion</b>: the change that ends the job, made by compare-and-set in the
 *       store ({@link Job#transition}), sets the job's expiry to its retention; the thread
 *       that won it does the side effects ({@link EndpointRuntime#onTransition}): counts,
 *       the interrupt of a running thread, listeners and the webhook, then the waiters.
 * </ol>
 *
 * <p>Every state change is one {@link Transition} applied by one primitive, so a worker, a
 * cancel, a purge, a retry, the execution timeout and the ttl can race and exactly one wins
 * each change; a change made through an attempt names that attempt, so it never reaches a
 * later one. Waiting ({@code runSync}, {@code status-sync}, {@code stream}) holds a future,
 * not a thread ({@link LongPolls}). All time comes from one {@link TimeSource} and every
 * timer from one {@link Timers}, so a test that supplies both controls time completely.
 */
final class RunlineEngine implements Runline, Inspection {
  private static final Logger LOG = LoggerFactory.getLogger(RunlineEngine.class);
  /** How often running jobs are checked against their execution timeout. */
  static final long WATCH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  final TimeSource time;
  final Timers timers;
  final JobStore store;
  /** The route limits' buckets when they are not in this process, or {@code null}. */
  final dev.runline.spi.RateBuckets rateBuckets;
  /** With a store shared by several nodes: what the engine does differently; else {@code null}. */
  final SharedMode shared;
  final LongPolls longPolls;
  /** Runs the work a timer starts that may take longer than a timer task should (a followed listing). */
  final Executor executor;
  final WebhookSender webhooks;
  /** Copied on each change: read once per ended job, changed rarely ({@link #listen}). */
  private volatile JobListener[] listeners;
  /** The wall-clock time and the engine's time at start, to show the engine's times as instants. */
  private final long startMillis;
  private final long startNanos;
  private final ApiKeys keys;
  private final Map<String, EndpointRuntime> endpoints;
  private final Shutdown shutdown;
  private final ScheduledExecutorService ownedTimer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean accepting = true;

  RunlineEngine(RunlineBuilder b, Map<String, BackendProvider> providers) {
    this.time = b.time != null ? b.time : b.store.opensShared() ? TimeSource.wallClock() : TimeSource.system();
    this.ownedTimer = b.timers == null ? defaultTimer() : null;
    this.timers = b.timers != null ? b.timers : Timers.of(ownedTimer);
    this.executor = b.executor;
    this.keys = new ApiKeys(b.apiKeys);
    this.listeners = b.listeners.toArray(JobListener[]::new);
    this.startMillis = System.currentTimeMillis();
    this.startNanos = time.nanoTime();
    this.longPolls = new LongPolls(new WaitDeadlines(time, timers), executor);
    this.webhooks = new WebhookSender(b.webhookAttempts, b.webhookRetryInterval, b.webhookTimeout, timers, time,
        () -> instant(time.nanoTime()));
    this.rateBuckets = b.rateBuckets;
    this.store = b.store.open(new StoreContext());
    this.shared = store instanceof SharedJobStore s ? new SharedMode(s, this) : null;
    Intake.Factory intakes = b.intake;
    Map<String, EndpointRuntime> byName = new LinkedHashMap<>();
    List<EndpointRuntime> opened = new ArrayList<>();
    try {
      for (Endpoint endpoint : b.endpoints.values()) {
        EndpointRuntime runtime = new EndpointRuntime(endpoint, this);
        runtime.open(providers.get(endpoint.backend()), intakes);
        opened.add(runtime);
        byName.put(endpoint.name(), runtime);
      }
    } catch (RuntimeException | Error e) {
      opened.forEach(EndpointRuntime::close);
      store.close();
      if (ownedTimer != null) {
        ownedTimer.shutdownNow();
      }
      throw e;
    }
    this.endpoints = Collections.unmodifiableMap(byName);
    this.shutdown = new Shutdown(endpoints.values(), b.shutdownMode, b.shutdownTimeout);
    timers.schedule(this::watch, WATCH_INTERVAL_NANOS);
    if (shared != null) {
      shared.start();
      endpoints.values().forEach(EndpointRuntime::startFetching);
    }
    LOG.info("runline started: {} endpoint(s) {}, API keys {}{}", endpoints.size(), endpoints.keySet(),
        keys.isOpen() ? "off (open engine)" : "on", shared == null ? "" : ", shared job store as node '"
            + shared.node() + "'");
  }

  static ThreadFactory threads(String name) {
    return new ThreadFactoryBuilder().setNameFormat("runline-" + name + "-%d").setDaemon(true).build();
  }

  private static ScheduledExecutorService defaultTimer() {
    java.util.concurrent.ScheduledThreadPoolExecutor timer =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1, threads("timer"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return timer;
  }

  /**
   * Ends running jobs past their execution timeout: one periodic look at the store's live
   * jobs (each endpoint's queue and workers bound them) costs nothing per job, where a timer
   * per job would cost a timer-queue insertion, removal and often a wake-up of the timer
   * thread, and a set of running jobs two updates per job.
   */
  private void watch() {
    if (closed.get()) {
      return;
    }
    try {
      if (shared != null) {
        shared.running().forEach(job -> job.transition(Transitions.TIME_OUT));
      } else {
        store.forEachLive(stored -> {
          if (stored instanceof Job job && job.state().status() == Status.IN_PROGRESS) {
            job.transition(Transitions.TIME_OUT);
          }
        });
      }
    } catch (RuntimeException e) {
      // A shared store out of reach: the next look tries again.
      LOG.debug("execution-timeout watch: {}", e.toString());
    } finally {
      timers.schedule(this::watch, WATCH_INTERVAL_NANOS);
    }
  }

  /**
   * The listeners and the webhook hear of a job's end, before any waiter is woken by it.
   *
   * @return the status body, when it was made for them; {@code null} when no one needed it
   */
  JobStatus ended(EndpointRuntime endpoint, Job job, JobState end) {
    JobListener[] listeners = this.listeners;
    if (job.webhook() == null && listeners.length == 0) {
      return null;
    }
    JobStatus body = end.toStatus(job.idText(), end.endedAt());
    for (JobListener listener : listeners) {
      try {
        listener.onTerminal(endpoint.name(), body);
      } catch (RuntimeException e) {
        LOG.warn("a job listener threw on job {}; ignored", body.id(), e);
      }
    }
    if (job.webhook() != null) {
      webhooks.send(job.webhook(), body, job.input);
    }
    return body;
  }

  /** The wall-clock instant of {@code nanos}, a reading of the engine's time. */
  Instant instant(long nanos) {
    return Instant.ofEpochMilli(startMillis + Math.floorDiv(nanos - startNanos, 1_000_000L));
  }

  boolean isAccepting() {
    return accepting;
  }

  /** An admission ended or a job moved: what a closing engine waits for may have changed. */
  void changed() {
    shutdown.changed();
  }

  /** The job of {@code id}, or {@code null} (also for no id). */
  Job find(JobId id) {
    if (id == null) {
      return null;
    }
    if (shared != null) {
      return shared.find(id);
    }
    return store.find(id) instanceof Job job ? job : null;
  }

  /** The endpoint named {@code name}, or {@code null}. */
  EndpointRuntime runtimeOrNull(String name) {
    return endpoints.get(name);
  }

  java.util.Collection<EndpointRuntime> runtimes() {
    return endpoints.values();
  }

  // ---- the caller's view ---------------------------------------------------------------

  @Override
  public Caller as(String apiKey) {
    String key = keys.authenticate(apiKey);
    // A shared store keeps who submitted a job, never the key itself.
    String owner = shared == null ? key : ApiKeys.digest(key);
    return name -> new EndpointHandle(this, owner, runtime(name));
  }

  @Override
  public Inspection inspect() {
    return this;
  }

  @Override
  public HandOffs batchHandOffs() {
    return HeldHandOffs.open();
  }

  private EndpointRuntime runtime(String name) {
    EndpointRuntime runtime = name == null ? null : endpoints.get(name);
    if (runtime == null) {
      throw new NotFoundException("no endpoint named '" + name + "'; this server has " + endpoints.keySet());
    }
    return runtime;
  }

  // ---- inspection ------------------------------------------------------------------------

  @Override
  public Set<String> endpoints() {
    return endpoints.keySet();
  }

  @Override
  public Health health(String endpoint) {
    return runtime(endpoint).health();
  }

  @Override
  public <T> Optional<T> backend(String endpoint, Class<T> type) {
    Object backend = runtime(endpoint).backend();
    return type.isInstance(backend) ? Optional.of(type.cast(backend)) : Optional.empty();
  }

  @Override
  public Endpoint endpoint(String name) {
    return runtime(name).config;
  }

  @Override
  public List<String> nodes() {
    if (shared == null) {
      return List.of();
    }
    List<String> nodes = new ArrayList<>(List.of(shared.node()));
    for (String node : shared.store.liveNodes()) {
      if (!nodes.contains(node)) {
        nodes.add(node);
      }
    }
    return List.copyOf(nodes);
  }

  @Override
  public AutoCloseable listen(JobListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      JobListener[] grown = Arrays.copyOf(listeners, listeners.length + 1);
      grown[listeners.length] = listener;
      listeners = grown;
    }
    return () -> {
      synchronized (RunlineEngine.this) {
        List<JobListener> kept = new ArrayList<>(List.of(listeners));
        kept.remove(listener);
        listeners = kept.toArray(JobListener[]::new);
      }
    };
  }

  @Override
  public Webhooks webhooks() {
    return webhooks.counts();
  }

  @Override
  public void runPendingExpiry() {
    store.cleanUp();
  }

  // ---- shutdown ------------------------------------------------------------------------

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    accepting = false;
    shutdown.run();
    webhooks.close();
    if (shared != null) {
      shared.close();
    }
    store.close();
    if (rateBuckets instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("the rate limits' buckets did not close cleanly", e);
      }
    }
    if (ownedTimer != null) {
      ownedTimer.shutdownNow();
    }
    LOG.info("runline stopped");
  }

  private final class StoreContext implements JobStore.Context {
    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public Timers timers() {
      return timers;
    }

    @Override
    public Consumer<StoredJob> onExpired() {
      return stored -> {
        if (stored instanceof Job job) {
          job.transition(Transitions.EXPIRE);
        }
      };
    }

    @Override
    public StoredJob restore(JobRecord record) {
      return shared.restore(record);
    }

    @Override
    public void changed(JobId id) {
      changed(id, -1);
    }

    @Override
    public void changed(JobId id, int version) {
      SharedMode s = shared;
      if (s != null) {
        s.changed(id, version);
      }
    }

    @Override
    public void lost(StoredJob stored, String node, boolean giveUp, int redeliveries) {
      if (stored instanceof Job job) {
        job.transition(Transitions.lost(node, giveUp, redeliveries));
      }
    }
  }
}
