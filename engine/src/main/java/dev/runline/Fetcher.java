package dev.runline;

import dev.runline.spi.JobRecord;
import dev.runline.spi.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's taker of jobs from a shared store's queue into this node's backend: it takes
 * as many as the node has room for (its workers, and as many again waiting behind them, so a
 * worker that finishes finds the next job here rather than a round trip away), waits in the
 * store while none is queued, and waits here while the node is full.
 */
final class Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
  /** How long one take waits in the store for a job before it looks at the room again. */
  static final long TAKE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** How long it rests after the store could not be reached. */
  static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final EndpointRuntime endpoint;
  private final SharedMode shared;
  private final int room;
  private final Thread thread;
  private volatile boolean stopping;
  private boolean roomChanged;

  Fetcher(EndpointRuntime endpoint, SharedMode shared) {
    this.endpoint = endpoint;
    this.shared = shared;
    this.room = 2 * Math.max(1, endpoint.config.workers());
    this.thread = RunlineEngine.threads(endpoint.name() + "-fetcher").newThread(this::loop);
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A job this node held ended or left: there may be room for another. */
  synchronized void roomChanged() {
    roomChanged = true;
    notifyAll();
  }

  private void loop() {
    boolean unreachable = false;
    while (!stopping) {
      try {
        int free = room - shared.inHand(endpoint);
        if (free <= 0) {
          awaitRoom();
          continue;
        }
        if (unreachable) {
          shared.reclaimOrphans(endpoint);
          LOG.info("endpoint '{}': the shared job store is reachable again; taking jobs", endpoint.name());
          unreachable = false;
        }
        List<JobRecord> taken = shared.store.take(endpoint.name(), free, TAKE_WAIT_NANOS);
        if (taken.isEmpty()) {
          continue;
        }
        List<QueuedJob> batch = new ArrayList<>(taken.size());
        for (JobRecord record : taken) {
          Job job = shared.took(record);
          if (job != null) {
            batch.add(job);
          }
        }
        if (!batch.isEmpty()) {
          endpoint.dispatch(batch);
        }
      } catch (InterruptedException e) {
        if (stopping) {
          return;
        }
      } catch (RuntimeException e) {
        if (stopping) {
          return; // interrupted in a store call by stop()
        }
        if (!unreachable) {
          LOG.warn("endpoint '{}': cannot take jobs from the shared job store ({}); trying again every {} ms",
              endpoint.name(), e.toString(), TimeUnit.NANOSECONDS.toMillis(RETRY_NANOS));
          unreachable = true;
        }
        rest();
      }
    }
  }

  private synchronized void awaitRoom() throws InterruptedException {
    if (!roomChanged) {
      // Bounded, in case a job left this node's hand without a word (a change seen late).
      TimeUnit.NANOSECONDS.timedWait(this, TAKE_WAIT_NANOS);
    }
    roomChanged = false;
  }

  private void rest() {
    try {
      TimeUnit.NANOSECONDS.sleep(RETRY_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
