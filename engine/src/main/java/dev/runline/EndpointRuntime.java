package dev.runline;

import dev.runline.spi.Attempt;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.Intake;
import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.RecentJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;

/**
 * One registered endpoint at run time: its limits, intake, backend and health counts. Every
 * transition of its jobs ends in {@link #onTransition}, which does the transition's side
 * effects: the counts, and for an end, the interrupt of a running thread, the listeners, the
 * webhook and the waiters.
 */
final class EndpointRuntime {
  final Endpoint config;
  final RunlineEngine engine;
  final RouteLimiter limiter;
  final HealthCounters counts = new HealthCounters();
  /** Calls between their check that the engine accepts work and their enqueue; shutdown waits for them. */
  final LongAdder admitting = new LongAdder();
  /** The ids of the most recent jobs, which {@code /requests} lists from; {@code null} when the listing is off. */
  final RecentJobs recent;

  private Intake intake;
  private Backend backend;
  /** With a shared store: takes this node's share of the shared queue into the backend. */
  private Fetcher fetcher;

  EndpointRuntime(Endpoint config, RunlineEngine engine) {
    this.config = config;
    this.engine = engine;
    this.limiter = new RouteLimiter(config, engine.time, engine.rateBuckets);
    this.recent = config.recentJobs() > 0 ? engine.store.recentJobs(config.name(), config.recentJobs()) : null;
  }

  /**
   * Opens the backend, then what feeds it: the intake, or with a shared store the fetcher
   * that takes jobs from the store's queue (started by {@link #startFetching} once the node
   * has joined, since joining may take back what this node's name held before).
   */
  void open(dev.runline.spi.BackendProvider provider, Intake.Factory intakes) {
    backend = provider.open(new Context());
    try {
      if (engine.shared == null) {
        intake = intakes.open(new IntakeContext());
      } else {
        fetcher = new Fetcher(this, engine.shared);
      }
    } catch (RuntimeException | Error e) {
      backend.close();
      throw e;
    }
  }

  /** With a shared store: starts taking jobs from its queue. */
  void startFetching() {
    fetcher.start();
  }

  /** The shared mode of the engine, or {@code null} when its store is this process's. */
  SharedMode shared() {
    return engine.shared;
  }

  /** A worker's name as jobs show it: with a shared store, prefixed by this node's ("node-a/cpu-echo-0"). */
  String workerName(String workerId) {
    SharedMode shared = engine.shared;
    return shared == null ? workerId : shared.node() + "/" + workerId;
  }

  /** The backend's workers on this node. */
  Health.Workers localWorkers() {
    return backend.workers();
  }

  /** Hands jobs this node took from the shared queue to the backend. */
  void dispatch(List<QueuedJob> jobs) {
    try {
      backend.dispatch(jobs);
    } catch (RuntimeException | Error e) {
      refused(List.copyOf(jobs));
    }
  }

  /** With a shared store: a job this node held left its hand, so its fetcher may take another. */
  void fetcherMayTake() {
    Fetcher f = fetcher;
    if (f != null) {
      f.roomChanged();
    }
  }

  String name() {
    return config.name();
  }

  long now() {
    return engine.time.nanoTime();
  }

  JobStore store() {
    return engine.store;
  }

  /**
   * Takes a place in the bounded queue, or refuses at once.
   *
   * @throws QueueFullException when the queue is full
   */
  void reserve() {
    if (engine.shared != null) {
      // The shared store counts and bounds the queue when it admits the job.
      return;
    }
    if (!counts.reserve(config.queueCapacity())) {
      throw new QueueFullException("endpoint '" + name() + "' has " + config.queueCapacity()
          + " jobs waiting, its queue capacity; nothing was accepted, retry later");
    }
  }

  /** Gives back a place {@link #reserve} took for a job that was not queued after all. */
  void unreserve() {
    if (engine.shared == null) {
      counts.unreserve();
    }
  }

  /** Every queued job of the endpoint: this process's, or with a shared store every node's. */
  List<Job> queuedEverywhere() {
    SharedMode shared = engine.shared;
    if (shared == null) {
      return queuedJobs();
    }
    List<Job> queued = new ArrayList<>();
    for (dev.runline.spi.JobRecord record : shared.store.queued(name())) {
      Job job = shared.restore(record);
      if (job != null) {
        queued.add(job);
      }
    }
    return queued;
  }

  /**
   * Publishes a job that holds a reserved place and is IN_QUEUE.
   *
   * @throws QueueFullException when the intake refuses it (the job ends CANCELLED and leaves the store)
   */
  void enqueue(Job job) {
    SharedMode shared = engine.shared;
    if (shared != null) {
      if (job.state().attempt() == 1 && !shared.admit(job)) {
        throw new QueueFullException("endpoint '" + name() + "' has " + config.queueCapacity()
            + " jobs waiting, its queue capacity; nothing was accepted, retry later");
      }
      // A retried job went back to the shared queue with the change that requeued it.
      return;
    }
    if (!intake.offer(job)) {
      job.transition(Transitions.endQueued(Status.CANCELLED, "not queued: the intake is full"));
      store().remove(job);
      throw new QueueFullException("endpoint '" + name() + "' intake is full; nothing was accepted, retry later");
    }
  }

  /**
   * Offers again a job whose worker was lost ({@link Job#redeliver}); its place in the queue
   * was taken when it moved back to IN_QUEUE. Refused by the intake, it ends FAILED.
   */
  void redispatch(Job job) {
    if (!intake.offer(job)) {
      job.transition(Transitions.endQueued(Status.FAILED, "the job could not be queued again after its worker was "
          + "lost: the intake of endpoint '" + name() + "' is full; retry it"));
    }
  }

  /** This endpoint's job of {@code id}, or {@code null}. */
  Job find(String id) {
    Job job = engine.find(JobId.parse(id));
    return job != null && job.endpoint == this ? job : null;
  }

  /** The side effects of a change of {@code job} that won, on the thread that made it. */
  void onTransition(Job job, JobState from, JobState to, boolean expired) {
    if (from.status() == to.status()) {
      return;
    }
    SharedMode shared = engine.shared;
    if (shared == null) {
      counts.moved(from.status(), to.status());
    } else {
      // The shared store counted the change with it.
      shared.moved(job, to);
    }
    engine.changed();
    if (to.status().isTerminal()) {
      if (from.status() == Status.IN_PROGRESS && (to.status() == Status.CANCELLED || to.status() == Status.TIMED_OUT)) {
        // Ended from outside its attempt: its thread's work is wasted. An attempt that
        // completes or fails ends itself, and its thread needs no interrupt.
        job.interruptRunner();
      }
      JobStatus body = engine.ended(this, job, to);
      if (shared != null) {
        mirrorBeforeTheEnd(job);
      }
      // A plain handler's or a kernel's output is also its one stream chunk.
      job.signalEnd(to, body, job.finalChunk(to));
    }
  }

  /**
   * With a shared store: the stream followers here hear every chunk the store holds before
   * they hear the end (the news of the last chunks may still be on their way).
   */
  private void mirrorBeforeTheEnd(Job job) {
    if (job.hasStreamFollowers()) {
      try {
        engine.shared.mirror(job);
      } catch (StoreUnavailableException e) {
        // They hear the end without the chunks they missed.
      }
    }
  }

  /**
   * A change of {@code job} another node made, seen here ({@link Job#observe}): what it means
   * on this node. The listeners and the webhook were the changing node's.
   */
  void onObserved(Job job, JobState from, JobState to) {
    if (from.status() == to.status() && from.attempt() == to.attempt()) {
      return;
    }
    engine.shared.moved(job, to);
    engine.changed();
    if (to.status().isTerminal()) {
      if (from.status() == Status.IN_PROGRESS && (to.status() == Status.CANCELLED || to.status() == Status.TIMED_OUT)) {
        job.interruptRunner();
      }
      mirrorBeforeTheEnd(job);
      job.signalEnd(to, null, job.finalChunk(to));
      return;
    }
    if (from.status() == Status.IN_PROGRESS && to.status() == Status.IN_QUEUE) {
      // Taken back from a node thought lost: a run still going here is void.
      job.interruptRunner();
    }
    if (to.attempt() != from.attempt() || to.status() == Status.IN_QUEUE && from.status() != Status.IN_QUEUE) {
      job.newAttemptSeen();
    }
  }

  /**
   * The endpoint's jobs in {@code status} (IN_QUEUE or IN_PROGRESS), from the store's live
   * jobs: the timeout watch, purge and shutdown look at few jobs, few times, where a set of
   * our own would cost every job two updates.
   */
  List<Job> liveJobs(Status status) {
    SharedMode shared = engine.shared;
    if (shared != null) {
      // This node's own: those it took and has not started, those it runs.
      return status == Status.IN_QUEUE ? shared.takenNotStarted(this) : shared.running().stream()
          .filter(job -> job.endpoint == this).toList();
    }
    List<Job> jobs = new ArrayList<>();
    store().forEachLive(stored -> {
      if (stored instanceof Job job && job.endpoint == this && job.state().status() == status) {
        jobs.add(job);
      }
    });
    return jobs;
  }

  List<Job> queuedJobs() {
    return liveJobs(Status.IN_QUEUE);
  }

  /** Cancels every queued and running job, e.g. when a shutdown runs out of time. */
  void cancelAll(String reason) {
    Transition cancel = Transitions.cancel(reason);
    for (Job job : queuedJobs()) {
      job.transition(cancel);
    }
    for (Job job : liveJobs(Status.IN_PROGRESS)) {
      job.transition(cancel);
    }
  }

  boolean isIdle() {
    SharedMode shared = engine.shared;
    return shared == null ? counts.isIdle() : shared.inHand(this) == 0;
  }

  Backend backend() {
    return backend;
  }

  Health health() {
    SharedMode shared = engine.shared;
    if (shared == null) {
      return new Health(counts.snapshot(), backend.workers());
    }
    return new Health(shared.store.counts(name()), shared.store.workers(name()));
  }

  /**
   * With a shared store, before the wait for the running jobs: stops taking jobs, and gives
   * back those taken and not started, which other nodes may run.
   */
  void stopTaking() {
    Fetcher f = fetcher;
    if (f != null) {
      f.stop();
      engine.shared.giveBackOnStop(engine.shared.takenNotStarted(this));
    }
  }

  /** Stops the intake (after handing over what it holds), then the backend. */
  void close() {
    if (intake != null) {
      intake.close();
    } else if (fetcher != null) {
      fetcher.stop();
    }
    backend.close();
  }

  /** Jobs whose batch the backend refused end FAILED rather than wait forever. */
  private void refused(List<QueuedJob> batch) {
    Transition refuse = Transitions.endQueued(Status.FAILED, "the '" + config.backend() + "' backend refused the job");
    for (QueuedJob job : batch) {
      ((Job) job).transition(refuse);
    }
  }

  private final class Context implements BackendContext {
    @Override
    public Endpoint endpoint() {
      return config;
    }

    @Override
    public Handler handler() {
      Work work = config.work();
      if (work instanceof Work.Plain plain) {
        return plain.handler();
      }
      if (work instanceof Work.Streaming streaming) {
        StreamingHandler handler = streaming.handler();
        boolean aggregate = config.returnAggregateStream();
        return job -> {
          RunningAttempt attempt = (RunningAttempt) job;
          handler.handle(attempt, attempt);
          return aggregate ? attempt.chunks() : List.of();
        };
      }
      if (work instanceof Work.External) {
        throw new UnsupportedOperationException("endpoint '" + name() + "' names no handler or kernel: its jobs are "
            + "for worker processes outside the engine, which backend '" + config.backend() + "' does not serve; "
            + "set its backend to one that does (remote), or give it a handler or a kernel");
      }
      throw new UnsupportedOperationException("endpoint '" + name() + "' runs the " + work
          + " kernel, which its backend '" + config.backend() + "' computes itself");
    }

    @Override
    public ThreadFactory threadFactory(String role) {
      return RunlineEngine.threads(name() + "-" + role);
    }

    @Override
    public TimeSource time() {
      return engine.time;
    }

    @Override
    public Timers timers() {
      return engine.timers;
    }

    @Override
    public Optional<JobState> jobState(String id) {
      Job job = find(id);
      return job == null ? Optional.empty() : Optional.of(job.state());
    }

    @Override
    public Optional<Attempt> runningAttempt(String id, String workerId) {
      Job job = find(id);
      JobState s = job == null ? null : job.state();
      if (s == null || s.status() != Status.IN_PROGRESS || !s.workerId().equals(workerName(workerId))) {
        return Optional.empty();
      }
      return Optional.of(new RunningAttempt(job, s));
    }
  }

  private final class IntakeContext implements Intake.Context {
    @Override
    public String endpoint() {
      return name();
    }

    @Override
    public int capacity() {
      return config.queueCapacity();
    }

    @Override
    public ThreadFactory threads() {
      return RunlineEngine.threads(name() + "-intake");
    }

    /**
     * The backend's dispatch, unless a batch of hand-offs is open on the admitting thread
     * ({@link HandOffs}): then the jobs wait for the batch to close.
     */
    @Override
    public java.util.function.Consumer<List<QueuedJob>> sink() {
      return jobs -> {
        if (jobs.size() != 1 || !HeldHandOffs.hold(jobs.get(0), this::dispatchHeld)) {
          backend.dispatch(jobs);
        }
      };
    }

    private void dispatchHeld(List<QueuedJob> jobs) {
      try {
        backend.dispatch(jobs);
      } catch (RuntimeException | Error e) {
        refused(List.copyOf(jobs));
      }
    }

    @Override
    public java.util.function.Consumer<List<QueuedJob>> onSinkFailure() {
      return EndpointRuntime.this::refused;
    }
  }
}
