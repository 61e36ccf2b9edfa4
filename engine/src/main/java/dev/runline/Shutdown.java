package dev.runline;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the engine closes, once it accepts no new work: wait for callers still inside their
 * admission, cancel what is queued ({@link ShutdownMode#CANCEL}) or let it run, wait for
 * the endpoints to go idle within the shutdown timeout, cancel whatever is left, then stop
 * each endpoint's intake and backend. Every accepted job ends in a terminal state.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);
  private static final String REASON = "cancelled: the engine shut down";

  private final Collection<EndpointRuntime> endpoints;
  private final ShutdownMode mode;
  private final Duration timeout;
  /** Set while {@link #run} waits: then every admission that ends and every job that moves wakes it. */
  private volatile boolean waiting;

  Shutdown(Collection<EndpointRuntime> endpoints, ShutdownMode mode, Duration timeout) {
    this.endpoints = endpoints;
    this.mode = mode;
    this.timeout = timeout;
  }

  void run() {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (EndpointRuntime endpoint : endpoints) {
      // Admission is a few microseconds between the check and the enqueue.
      awaitUntil(() -> endpoint.admitting.sum() == 0, Long.MAX_VALUE);
    }
    // With a shared store, the jobs this node took and did not start go back for other nodes.
    endpoints.forEach(EndpointRuntime::stopTaking);
    if (mode == ShutdownMode.CANCEL) {
      Transition cancel = Transitions.endQueued(Status.CANCELLED, REASON);
      for (EndpointRuntime endpoint : endpoints) {
        endpoint.queuedJobs().forEach(job -> job.transition(cancel));
      }
    }
    if (!awaitUntil(this::allIdle, deadline)) {
      LOG.warn("runline shutdown: jobs still unfinished after {} ms; cancelling them", timeout.toMillis());
      endpoints.forEach(endpoint -> endpoint.cancelAll(REASON));
    }
    for (EndpointRuntime endpoint : endpoints) {
      endpoint.close();
      // Whatever a backend left unstarted or unfinished still ends in a terminal state.
      endpoint.cancelAll(REASON);
    }
  }

  private boolean allIdle() {
    return endpoints.stream().allMatch(EndpointRuntime::isIdle);
  }

  /** Something the shutdown may be waiting for changed: an admission ended, or a job moved. */
  void changed() {
    if (waiting) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * Waits until {@code done} or the deadline ({@link System#nanoTime()}); whether it is done.
   * Woken by {@link #changed()}, never by a timer of its own.
   */
  private synchronized boolean awaitUntil(BooleanSupplier done, long deadline) {
    waiting = true;
    try {
      while (!done.getAsBoolean()) {
        long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
        if (deadline != Long.MAX_VALUE && left <= 0) {
          return false;
        }
        try {
          // A change between the check and the wait finds this thread waiting or still
          // holding the monitor it must take to notify, so no wake-up is lost.
          TimeUnit.NANOSECONDS.timedWait(this, deadline == Long.MAX_VALUE ? Long.MAX_VALUE : left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return done.getAsBoolean();
        }
      }
      return true;
    } finally {
      waiting = false;
    }
  }
}
