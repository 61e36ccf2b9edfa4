package dev.runline.spi;

import dev.runline.Health;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend built on a fixed pool of worker threads, one per {@link dev.runline.Endpoint#workers()}:
 * the jobs waiting for them (normal priority first), the worker loop, stuck-worker detection
 * for {@code /health}, and stopping within a deadline. A backend says only how a worker runs
 * what it took, in {@link #work}:
 *
 * <pre>{@code
 * final class ThreadsBackend extends WorkerPool {
 *   private final Handler handler;
 *
 *   ThreadsBackend(BackendContext context) {
 *     super(context, "threads");
 *     this.handler = context.handler();
 *     startWorkers();
 *   }
 *
 *   protected void work(Worker worker, QueuedJob job) {
 *     worker.start(job).ifPresent(attempt -> attempt.run(handler));
 *   }
 * }
 * }</pre>
 *
 * <p>A worker that took more jobs than the first (a batch) takes them with
 * {@link Worker#poll}; every job a worker took and every attempt it started are its own
 * until its round ends, so when {@link #work} throws (a bug), none of them is left waiting or
 * running: each ends FAILED with the error.
 */
public abstract class WorkerPool implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
  /** How long {@link #close()} waits for the workers to stop after interrupting them. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String endpoint;
  private final WaitingJobs waiting = new WaitingJobs();
  private final Worker[] workers;
  private volatile boolean stopping;

  /**
   * Makes the workers, named {@code role-endpoint-i}; they start at {@link #startWorkers()}.
   */
  protected WorkerPool(BackendContext context, String role) {
    this.endpoint = context.endpoint().name();
    ThreadFactory threads = context.threadFactory(role);
    this.workers = new Worker[context.endpoint().workers()];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i, role + "-" + endpoint + "-" + i, threads);
    }
  }

  /**
   * Starts the workers. A subclass calls it last in its constructor, once the fields its
   * {@link #work} reads are set.
   */
  protected final void startWorkers() {
    for (Worker worker : workers) {
      worker.thread.start();
    }
  }

  /**
   * Runs what {@code worker} took: {@code first}, and any jobs it takes besides with
   * {@link Worker#poll}. Start each with {@link Worker#start} (or {@link Worker#startAll})
   * and end every attempt started. Called on the worker's thread, one round at a time.
   */
  protected abstract void work(Worker worker, QueuedJob first) throws Exception;

  /** Releases what the backend holds besides its threads; called once they have stopped. */
  protected void closeResources() {}

  /** The endpoint's name. */
  protected final String endpointName() {
    return endpoint;
  }

  @Override
  public final void dispatch(List<QueuedJob> batch) {
    waiting.addAll(batch);
  }

  /**
   * Running: workers in a round whose latest attempt is still running (or not yet started).
   * Unhealthy: workers still inside a round whose attempt has ended (cancelled or timed
   * out) without returning, i.e. a handler that ignores interruption.
   */
  @Override
  public Health.Workers workers() {
    int running = 0;
    int stuck = 0;
    for (Worker worker : workers) {
      if (worker.busy) {
        Attempt current = worker.current;
        if (current != null && current.isCancelled()) {
          stuck++;
        } else {
          running++;
        }
      }
    }
    int idle = workers.length - running - stuck;
    return new Health.Workers(idle, 0, idle, running, 0, stuck);
  }

  /**
   * Interrupts every worker, waits for them all within one shared deadline, then releases
   * the backend's resources. A worker still alive after it (a handler that ignores
   * interruption, a launch that does not return) is logged and left behind: it is a daemon
   * thread.
   */
  @Override
  public final void close() {
    stopping = true;
    for (Worker worker : workers) {
      worker.thread.interrupt();
    }
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (Worker worker : workers) {
      try {
        worker.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (worker.thread.isAlive()) {
        LOG.warn("worker {} of endpoint '{}' did not stop within {} ms; its job ignores interruption", worker.id,
            endpoint, STOP_TIMEOUT.toMillis());
      }
    }
    closeResources();
  }

  /** One worker thread, and what it took and started in its current round. */
  public final class Worker {
    private final int index;
    private final String id;
    private final Thread thread;
    /** Jobs taken this round that were not started yet, and attempts started: this thread's only. */
    private final ArrayDeque<QueuedJob> taken = new ArrayDeque<>();
    private final List<Attempt> started = new ArrayList<>();
    private final WaitingJobs.Spins spins = new WaitingJobs.Spins();
    private volatile boolean busy;
    private volatile Attempt current;

    private Worker(int index, String id, ThreadFactory threads) {
      this.index = index;
      this.id = id;
      this.thread = threads.newThread(this::loop);
    }

    /** The worker's place in the pool, from 0: for resources a backend keeps per worker. */
    public int index() {
      return index;
    }

    /** The worker's id, as jobs show it ({@code workerId}). */
    public String id() {
      return id;
    }

    /**
     * Starts {@code job} on this worker.
     *
     * @return its attempt, or empty when it no longer waits
     */
    public Optional<Attempt> start(QueuedJob job) {
      taken.removeFirstOccurrence(job);
      Optional<Attempt> attempt = job.start(id);
      attempt.ifPresent(a -> {
        started.add(a);
        current = a;
      });
      return attempt;
    }

    /** Starts each of {@code jobs}; the attempts of those that still waited, in order. */
    public List<Attempt> startAll(List<QueuedJob> jobs) {
      List<Attempt> attempts = new ArrayList<>(jobs.size());
      for (QueuedJob job : jobs) {
        start(job).ifPresent(attempts::add);
      }
      return attempts;
    }

    /** Another waiting job for this round, or {@code null} when none waits. */
    public QueuedJob poll() {
      return took(waiting.poll());
    }

    /** Another waiting job, waiting at most {@code timeout} for one; {@code null} when none came. */
    public QueuedJob poll(long timeout, TimeUnit unit) throws InterruptedException {
      return took(waiting.poll(timeout, unit));
    }

    private QueuedJob took(QueuedJob job) {
      if (job != null) {
        taken.add(job);
      }
      return job;
    }

    private void loop() {
      while (!stopping) {
        QueuedJob first;
        try {
          first = waiting.take(spins);
        } catch (InterruptedException e) {
          continue;
        }
        busy = true;
        taken.add(first);
        try {
          work(this, first);
        } catch (Throwable e) {
          LOG.error("worker {} of endpoint '{}': a round of {} job(s) escaped its backend", id, endpoint,
              taken.size() + started.size(), e);
          endRound(e);
        } finally {
          taken.clear();
          started.clear();
          current = null;
          busy = false;
          // An interrupt aimed at this round's jobs must not reach the next round.
          if (thread.isInterrupted()) {
            Thread.interrupted();
          }
        }
      }
    }

    /** No job of a round that broke is left waiting or running. */
    private void endRound(Throwable error) {
      for (Attempt attempt : started) {
        attempt.fail(error);
      }
      for (QueuedJob job : new ArrayList<>(taken)) {
        job.start(id).ifPresent(attempt -> attempt.fail(error));
      }
    }
  }
}
