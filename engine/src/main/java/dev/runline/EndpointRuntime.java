package dev.runline;

import dev.runline.spi.Backend;
import dev.runline.spi.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One registered endpoint at run time: its limits, intake ring, backend, running jobs and
 * health counters. Every job transition of the endpoint passes through
 * {@link #onTransition}, which keeps the counters exact without scanning the store.
 */
final class EndpointRuntime {
  final Endpoint config;
  final RunlineEngine engine;
  final RouteLimiter limiter;

  final AtomicInteger inQueue = new AtomicInteger();
  final AtomicInteger inProgress = new AtomicInteger();
  final LongAdder completed = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder retried = new LongAdder();
  /** Calls between their intake check and their enqueue; shutdown waits for them. */
  final LongAdder admitting = new LongAdder();
  /** Jobs IN_PROGRESS, for shutdown. */
  final Set<Job> running = ConcurrentHashMap.newKeySet();

  IntakeRing ring;
  Backend backend;

  EndpointRuntime(Endpoint config, RunlineEngine engine) {
    this.config = config;
    this.engine = engine;
    this.limiter = new RouteLimiter(config, engine.ticker);
  }

  String name() {
    return config.name();
  }

  long now() {
    return engine.ticker.read();
  }

  /** Takes a place in the bounded queue, or refuses at once. */
  void reserve() {
    if (inQueue.incrementAndGet() > config.queueCapacity()) {
      inQueue.decrementAndGet();
      throw new QueueFullException("endpoint '" + name() + "' has " + config.queueCapacity()
          + " jobs waiting, its queue capacity; nothing was accepted, retry later");
    }
  }

  /** Publishes a job that holds a reserved place and is IN_QUEUE. */
  void enqueue(Job job) {
    if (!ring.offer(job)) {
      job.endIfQueued(Status.CANCELLED, "not queued: the intake ring is full");
      engine.store.remove(job);
      throw new QueueFullException("endpoint '" + name() + "' intake is full; nothing was accepted, retry later");
    }
  }

  /** Runs the endpoint's handler for one attempt; a streaming handler's output is its aggregate. */
  Object invoke(Job.Execution execution) throws Exception {
    Work work = config.work();
    if (work instanceof Work.Plain plain) {
      return plain.handler().handle(execution);
    }
    if (work instanceof Work.Streaming streaming) {
      streaming.handler().handle(execution, execution);
      return config.returnAggregateStream() ? execution.job.chunks() : List.of();
    }
    throw new UnsupportedOperationException("endpoint '" + name() + "' runs the " + work
        + " kernel, which its backend '" + config.backend() + "' must compute (QueuedJob.run(workerId, handler))");
  }

  /** Ends the running jobs whose execution timeout has passed. */
  void timeOutOverdue(long now) {
    for (Job job : running) {
      job.timeOutIfDue(now);
    }
  }

  void onTransition(Job job, JobState from, JobState to) {
    leave(job, from);
    switch (to.status) {
      case IN_QUEUE:
        retried.increment();
        break;
      case IN_PROGRESS:
        inProgress.incrementAndGet();
        running.add(job);
        JobState now = job.state();
        if (now.status != Status.IN_PROGRESS || now.attempt != to.attempt) {
          // It ended between the transition and the add; the remover may have missed it.
          running.remove(job);
        }
        break;
      case COMPLETED:
        completed.increment();
        break;
      case FAILED:
      case TIMED_OUT:
        failed.increment();
        break;
      default:
        break;
    }
    if (to.status.isTerminal()) {
      engine.store.retain(job);
      // A plain handler's or a kernel's output is also its one stream chunk.
      Object lastChunk = !(config.work() instanceof Work.Streaming) && to.status == Status.COMPLETED ? to.output : null;
      ended(job, to, lastChunk);
    }
  }

  /** The job's ttl passed before it was terminal: it ends TIMED_OUT and leaves the store. */
  void onExpired(Job job, JobState from, JobState to) {
    leave(job, from);
    failed.increment();
    engine.store.remove(job);
    ended(job, to, null);
  }

  private void leave(Job job, JobState from) {
    if (from.status == Status.IN_QUEUE) {
      inQueue.decrementAndGet();
    } else if (from.status == Status.IN_PROGRESS) {
      inProgress.decrementAndGet();
      running.remove(job);
    }
  }

  /** Listeners and the webhook hear of the end before any waiter is woken by it. */
  private void ended(Job job, JobState to, Object lastChunk) {
    if (job.webhook != null || engine.hasListeners()) {
      JobStatus body = to.toStatus(job.id, to.endedAt);
      engine.notifyTerminal(name(), body);
      if (job.webhook != null) {
        engine.webhooks.send(job.webhook, body, job.input);
      }
    }
    job.signalTerminal(to, lastChunk);
  }

  /** Jobs that could not be handed to the backend end FAILED rather than wait forever. */
  void onDispatchFailure(List<QueuedJob> batch) {
    for (QueuedJob queuedJob : batch) {
      ((Job) queuedJob).endIfQueued(Status.FAILED, "the '" + config.backend() + "' backend refused the job");
    }
  }

  Health health() {
    return new Health(
        new Health.Jobs(completed.sum(), failed.sum(), inProgress.get(), inQueue.get(), retried.sum()),
        backend.workers());
  }

  /**
   * The endpoint's jobs still IN_QUEUE. Found by a scan of the store rather than kept in a
   * set of our own: purge and shutdown are rare, and a set would cost every job two updates.
   */
  List<Job> queuedJobs() {
    List<Job> jobs = new ArrayList<>();
    engine.store.forEach(job -> {
      if (job.endpoint == this && job.isQueued()) {
        jobs.add(job);
      }
    });
    return jobs;
  }

  /** Cancels every queued and running job, e.g. when a shutdown runs out of time. */
  void cancelAll(String reason) {
    for (Job job : queuedJobs()) {
      job.cancel(reason);
    }
    for (Job job : running) {
      job.cancel(reason);
    }
  }

  boolean isIdle() {
    return inQueue.get() == 0 && inProgress.get() == 0;
  }
}
