package dev.runline;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.Intake;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.RecentJobs;
import java.util.ArrayList;
import java.util.List;
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

  EndpointRuntime(Endpoint config, RunlineEngine engine) {
    this.config = config;
    this.engine = engine;
    this.limiter = new RouteLimiter(config, engine.time);
    this.recent = config.recentJobs() > 0 ? engine.store.recentJobs(config.name(), config.recentJobs()) : null;
  }

  /** Opens the backend, then the intake that feeds it. */
  void open(dev.runline.spi.BackendProvider provider, Intake.Factory intakes) {
    backend = provider.open(new Context());
    try {
      intake = intakes.open(new IntakeContext());
    } catch (RuntimeException | Error e) {
      backend.close();
      throw e;
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
    if (!counts.reserve(config.queueCapacity())) {
      throw new QueueFullException("endpoint '" + name() + "' has " + config.queueCapacity()
          + " jobs waiting, its queue capacity; nothing was accepted, retry later");
    }
  }

  /**
   * Publishes a job that holds a reserved place and is IN_QUEUE.
   *
   * @throws QueueFullException when the intake refuses it (the job ends CANCELLED and leaves the store)
   */
  void enqueue(Job job) {
    if (!intake.offer(job)) {
      job.transition(Transitions.endQueued(Status.CANCELLED, "not queued: the intake is full"));
      store().remove(job);
      throw new QueueFullException("endpoint '" + name() + "' intake is full; nothing was accepted, retry later");
    }
  }

  /** The side effects of a change of {@code job} that won, on the thread that made it. */
  void onTransition(Job job, JobState from, JobState to, boolean expired) {
    if (from.status() == to.status()) {
      return;
    }
    counts.moved(from.status(), to.status());
    engine.changed();
    if (to.status().isTerminal()) {
      if (from.status() == Status.IN_PROGRESS && (to.status() == Status.CANCELLED || to.status() == Status.TIMED_OUT)) {
        // Ended from outside its attempt: its thread's work is wasted. An attempt that
        // completes or fails ends itself, and its thread needs no interrupt.
        job.interruptRunner();
      }
      JobStatus body = engine.ended(this, job, to);
      // A plain handler's or a kernel's output is also its one stream chunk.
      job.signalEnd(to, body, job.finalChunk(to));
    }
  }

  /**
   * The endpoint's jobs in {@code status} (IN_QUEUE or IN_PROGRESS), from the store's live
   * jobs: the timeout watch, purge and shutdown look at few jobs, few times, where a set of
   * our own would cost every job two updates.
   */
  List<Job> liveJobs(Status status) {
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
    return counts.isIdle();
  }

  Health health() {
    return new Health(counts.snapshot(), backend.workers());
  }

  /** Stops the intake (after handing over what it holds), then the backend. */
  void close() {
    intake.close();
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
      throw new UnsupportedOperationException("endpoint '" + name() + "' runs the " + work
          + " kernel, which its backend '" + config.backend() + "' computes itself");
    }

    @Override
    public ThreadFactory threadFactory(String role) {
      return RunlineEngine.threads(name() + "-" + role);
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
