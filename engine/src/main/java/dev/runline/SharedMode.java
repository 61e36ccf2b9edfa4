package dev.runline;

import dev.runline.spi.JobId;
import dev.runline.spi.JobRecord;
import dev.runline.spi.JobState;
import dev.runline.spi.SharedJobStore;
import dev.runline.spi.StoredJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an engine does differently when its job store is shared by several nodes
 * ({@link SharedJobStore}): this node keeps one object per job it cares about (those it runs or
 * took, and those a caller here reads or waits for), finds jobs in the store, and applies the
 * changes other nodes make, which the store tells it of, to the objects it keeps: their
 * waiters wake, their stream followers hear the chunks, a job cancelled elsewhere while it
 * runs here has its thread interrupted.
 *
 * <p>The store's news is handled on one thread, in the order it came, so the chunks of a
 * stream reach its followers in order. A look at every followed job once a second catches
 * news lost while the store was out of reach.
 */
final class SharedMode {
  private static final Logger LOG = LoggerFactory.getLogger(SharedMode.class);
  /** How often the jobs followed here are looked at whatever the news, and idle objects dropped. */
  static final long RECONCILE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often a change that could not be written is tried again. */
  static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  final SharedJobStore store;
  private final RunlineEngine engine;
  /** This node's object of each job it cares about. */
  private final Map<JobId, Job> jobs = new ConcurrentHashMap<>();
  /** Jobs this node took and has not seen end: the fetchers' measure of what it holds. */
  private final Map<JobId, Job> inHand = new ConcurrentHashMap<>();
  /** Jobs neither followed nor held at the last reconcile: dropped if still so at the next. */
  private final Set<JobId> unneeded = ConcurrentHashMap.newKeySet();
  private final ExecutorService news = Executors.newSingleThreadExecutor(RunlineEngine.threads("shared-news"));
  private volatile boolean closed;

  SharedMode(SharedJobStore store, RunlineEngine engine) {
    this.store = store;
    this.engine = engine;
  }

  String node() {
    return store.node();
  }

  void start() {
    store.start();
    engine.timers.schedule(this::reconcile, RECONCILE_NANOS);
  }

  // ---- finding jobs ----------------------------------------------------------------------

  /** The job of {@code id} as the store keeps it now, as this node's object; {@code null} when none. */
  Job find(JobId id) {
    JobRecord record = store.load(id);
    return record == null ? null : restore(record);
  }

  /**
   * Stores, counts and queues a job admitted here, kept as this node's object of it (so its
   * waiters here hear of its end); {@code false} when the shared queue is full.
   */
  boolean admit(Job job) {
    jobs.put(job.id(), job);
    boolean admitted;
    try {
      admitted = store.admit(job.record(), job.endpoint.config.queueCapacity());
    } catch (RuntimeException | Error e) {
      jobs.remove(job.id(), job);
      throw e;
    }
    if (!admitted) {
      jobs.remove(job.id(), job);
    }
    return admitted;
  }

  /** This node's object for {@code record}: the one it keeps, brought up to the record's state, or a new one. */
  Job restore(JobRecord record) {
    EndpointRuntime endpoint = engine.runtimeOrNull(record.endpoint());
    if (endpoint == null) {
      return null;
    }
    Job made = jobs.computeIfAbsent(record.id(), id -> new Job(record, endpoint));
    made.observe(record.state());
    return made;
  }

  /** Brings {@code job} up to the state the store keeps for it now. */
  void refresh(Job job) {
    JobRecord record = store.load(job.id());
    if (record != null) {
      job.observe(record.state());
    }
  }

  /** A job this node took to run: kept, and counted as in hand until it ends. */
  Job took(JobRecord record) {
    Job job = restore(record);
    if (job != null) {
      inHand.put(record.id(), job);
    }
    return job;
  }

  /** How many jobs of {@code endpoint} this node took and has not seen end. */
  int inHand(EndpointRuntime endpoint) {
    int n = 0;
    for (Job job : inHand.values()) {
      if (job.endpoint == endpoint) {
        n++;
      }
    }
    return n;
  }

  /**
   * {@code job} leaves this node's hand (it ended, went back to a queue, or could not be
   * started here), so its endpoint's fetcher may take another.
   */
  void leaveHand(Job job) {
    if (inHand.remove(job.id()) != null) {
      job.endpoint.fetcherMayTake();
    }
  }

  /** The jobs this node took that are still queued here, not started. */
  List<Job> takenNotStarted(EndpointRuntime endpoint) {
    List<Job> taken = new ArrayList<>();
    for (Job job : inHand.values()) {
      if (job.endpoint == endpoint && job.state().status() == Status.IN_QUEUE) {
        taken.add(job);
      }
    }
    return taken;
  }

  /** The jobs running on this node (for the execution-timeout watch and shutdown). */
  List<Job> running() {
    List<Job> running = new ArrayList<>();
    for (Job job : inHand.values()) {
      if (job.state().status() == Status.IN_PROGRESS) {
        running.add(job);
      }
    }
    return running;
  }

  /** A job this node held moved: one that ended, or went back to a queue, leaves its hand. */
  void moved(Job job, JobState to) {
    if (to.status().isTerminal() || to.status() == Status.IN_QUEUE) {
      leaveHand(job);
    }
  }

  /**
   * Jobs this node took but will not start (it is stopping) go back to the store's queue; with
   * the store out of reach they stay claimed, and the other nodes take them back when this
   * node's lease runs out.
   */
  void giveBack(List<Job> taken) {
    if (taken.isEmpty()) {
      return;
    }
    store.giveBack(taken);
    taken.forEach(this::leaveHand);
  }

  /** {@link #giveBack} at shutdown: a store out of reach is logged, not thrown. */
  void giveBackOnStop(List<Job> taken) {
    try {
      giveBack(taken);
    } catch (StoreUnavailableException e) {
      LOG.warn("node '{}' stops with {} job(s) it took and did not start: {}; the other nodes take them back"
          + " when its lease runs out", node(), taken.size(), e.getMessage());
      taken.forEach(this::leaveHand);
    }
  }

  /**
   * A change a worker could not write (the store out of reach), typically a result: kept
   * here and tried again every {@link #RETRY_NANOS} until it is written or no longer applies
   * (the job was taken back from this node meanwhile, or ended otherwise).
   */
  void writeLater(Job job, Transition change) {
    LOG.warn("job {}: the shared job store cannot be reached; its result is kept on node '{}' and written when"
        + " the store is back", job.idText(), node());
    engine.timers.schedule(() -> retry(job, change), RETRY_NANOS);
  }

  private void retry(Job job, Transition change) {
    if (closed) {
      LOG.error("job {}: node '{}' stopped before the shared job store came back; its result was not written",
          job.idText(), node());
      return;
    }
    try {
      job.transition(change);
    } catch (StoreUnavailableException e) {
      engine.timers.schedule(() -> retry(job, change), RETRY_NANOS);
    }
  }

  /** A job this node took but could not start (the store out of reach): given back once the store is there. */
  void giveBackLater(Job job) {
    engine.timers.schedule(() -> {
      if (closed) {
        return;
      }
      try {
        giveBackOrRedeliver(job);
      } catch (StoreUnavailableException e) {
        giveBackLater(job);
      }
    }, RETRY_NANOS);
  }

  /**
   * A job this node claimed but does not run: back to its queue when it is still queued; when
   * its start reached the store though the answer did not (so no worker here runs it), the
   * same attempt queued again, as for a lost node.
   */
  private void giveBackOrRedeliver(Job job) {
    refresh(job);
    if (job.state().status() == Status.IN_PROGRESS) {
      leaveHand(job);
      job.transition(Transitions.lost(node(), false, 0));
    } else {
      giveBack(List.of(job));
    }
  }

  /**
   * After the store was out of reach: the claims of {@code endpoint}'s jobs this node does not
   * hold (a take or a start applied in the store whose answer was lost) are given back or
   * redelivered, so no job stays claimed by a node that will never run it. Called by the
   * endpoint's fetcher, between its takes.
   */
  void reclaimOrphans(EndpointRuntime endpoint) {
    for (JobId id : store.claimed()) {
      if (inHand.containsKey(id)) {
        continue;
      }
      Job job = find(id);
      if (job != null && job.endpoint == endpoint && !job.state().status().isTerminal()) {
        LOG.warn("job {}: claimed by node '{}' in the shared store though not held here (an answer lost while the"
            + " store was out of reach); {}", job.idText(), node(), job.state().status() == Status.IN_PROGRESS
            ? "queued again" : "given back to its queue");
        giveBackOrRedeliver(job);
      }
    }
  }

  /** A chunk into the shared store; with the store out of reach it is dropped, and the run goes on. */
  boolean emit(Job job, JobState run, Object chunk) {
    try {
      return store.emit(job, run, chunk);
    } catch (StoreUnavailableException e) {
      LOG.warn("job {}: a stream chunk was dropped: {}", job.idText(), e.getMessage());
      return true;
    }
  }

  // ---- streams ---------------------------------------------------------------------------

  /** {@code /stream}'s drain, exactly once across the nodes (see {@link Job#drain}). */
  StreamBatch drain(Job job, CompletableFuture<Void>[] onChange) {
    // Waiting first, then looking: a chunk added after the look wakes the wait.
    CompletableFuture<Void> change = onChange == null ? null : job.nextChange();
    refresh(job);
    JobState s = job.state();
    List<Object> fresh = store.drain(job.id(), !(job.endpoint.config.work() instanceof Work.Streaming));
    if (fresh.isEmpty() && !s.status().isTerminal() && onChange != null) {
      onChange[0] = change;
      return null;
    }
    List<StreamBatch.Chunk> chunks = new ArrayList<>(fresh.size());
    for (Object chunk : fresh) {
      chunks.add(new StreamBatch.Chunk(chunk));
    }
    JobStatus body = s.toStatus(job.idText(), engine.time.nanoTime());
    return new StreamBatch(body.id(), body.status(), body.delayTime(), chunks);
  }

  /** Brings this node's copy of the job's stream up to the store's. */
  void mirror(Job job) {
    job.mirror(job.state().attempt(), store.chunks(job.id()));
  }

  // ---- news from other nodes -------------------------------------------------------------

  /** The store's news of job {@code id}: handled in order, off the store's own threads. */
  void changed(JobId id, int version) {
    Job job = jobs.get(id);
    if (closed || job == null) {
      return;
    }
    if (version >= 0 && job.state().version() >= version) {
      return; // made here, or already seen
    }
    if (!inHand.containsKey(id) && !job.isFollowed()) {
      return; // no one here needs it now: a later read loads the job from the store
    }
    news.execute(() -> apply(id));
  }

  private void apply(JobId id) {
    Job job = jobs.get(id);
    if (job == null) {
      return;
    }
    try {
      if (job.hasStreamFollowers()) {
        mirror(job);
      }
      refresh(job);
      job.changedElsewhere();
    } catch (RuntimeException e) {
      // The store is out of reach: the next look (reconcile) tries again.
      LOG.debug("news of job {} not applied: {}", id, e.toString());
    }
  }

  /**
   * Once a second: this node's workers reported to the store, the jobs followed here looked at,
   * and the objects no one needs dropped.
   */
  private void reconcile() {
    if (closed) {
      return;
    }
    try {
      for (EndpointRuntime endpoint : engine.runtimes()) {
        try {
          store.reportWorkers(endpoint.name(), endpoint.localWorkers());
        } catch (RuntimeException e) {
          LOG.debug("workers of endpoint '{}' not reported: {}", endpoint.name(), e.toString());
        }
      }
      for (Job job : jobs.values()) {
        boolean held = inHand.containsKey(job.id());
        if (job.isFollowed() && !job.state().status().isTerminal()) {
          unneeded.remove(job.id());
          news.execute(() -> apply(job.id()));
        } else if (!held && !job.isFollowed()) {
          // Dropped at the second look only: a job just admitted or found here is followed a
          // moment later (a runSync's or a long poll's waiter), and must still be this node's
          // object when it is, or the waiter would wait on an object no news reaches.
          if (!unneeded.add(job.id())) {
            unneeded.remove(job.id());
            jobs.remove(job.id(), job);
          }
        } else {
          unneeded.remove(job.id());
        }
      }
      unneeded.removeIf(id -> !jobs.containsKey(id));
    } finally {
      engine.timers.schedule(this::reconcile, RECONCILE_NANOS);
    }
  }

  /** What {@link StoredJob}s the store visits as live: those this node runs or took. */
  void forEachInHand(java.util.function.Consumer<StoredJob> action) {
    inHand.values().forEach(action);
  }

  void close() {
    closed = true;
    news.shutdown();
    try {
      news.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
