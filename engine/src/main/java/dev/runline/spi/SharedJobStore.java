package dev.runline.spi;

import dev.runline.Health;
import java.util.List;

/**
 * A {@link JobStore} that several engines (nodes) share, so that they serve every endpoint as
 * one service: a job admitted on any node runs once on some node's backend, and every route
 * answers for it from every node.
 *
 * <p>Beyond a job store's rules, what every implementation must keep:
 * <ul>
 *   <li><b>The queue is the store's.</b> {@link #admit} stores, counts and queues a job in
 *       one atomic step, refusing it when the endpoint's queue (across every node) is full;
 *       {@link #take} hands queued jobs to this node's backend, each to one node only, normal
 *       priority first; a job that {@link #compareAndSet} moves back to IN_QUEUE (a retry)
 *       joins its queue again in the same step. The engine opens no intake.
 *   <li><b>Counts are the store's.</b> Every transition counts itself in the same atomic
 *       step, so {@link #counts} is exact across the nodes.
 *   <li><b>A change names the run it ends.</b> A change from IN_PROGRESS wins only if the
 *       job still runs the attempt the change was computed from, on the same worker of the
 *       same node, so a node that lost a job (its claim taken back, the job run elsewhere)
 *       cannot end it; and a start wins only on the node the job was handed to.
 *   <li><b>Changes travel.</b> When a job changes on another node, or gains a chunk, the
 *       store tells this node's engine ({@link JobStore.Context#changed}), which wakes its
 *       own waiters; no waiter polls.
 *   <li><b>Lost nodes' jobs are taken back.</b> A node that stops renewing its lease has the
 *       jobs it took queued again (redelivered) or, after too many redeliveries, FAILED.
 * </ul>
 */
public interface SharedJobStore extends JobStore {

  /** This node's name, unique among the nodes sharing the store. */
  String node();

  /** The names of the nodes alive now (their lease not run out), this one among them; by default this one only. */
  default List<String> liveNodes() {
    return List.of(node());
  }

  /**
   * Begins the store's own work on this node (hearing other nodes' news, expiring jobs whose
   * ttl passed, taking back lost nodes' jobs): called once the engine is ready to be told
   * ({@link JobStore.Context#changed}, {@link JobStore.Context#restore}).
   */
  void start();

  /**
   * Stores {@code job} (IN_QUEUE), counts it and queues it, atomically.
   *
   * @return {@code false}, with nothing stored, when {@code capacity} jobs of its endpoint
   *     wait already
   */
  boolean admit(JobRecord job, int capacity);

  /**
   * Takes up to {@code max} queued jobs of {@code endpoint} for this node, normal priority
   * first, waiting up to {@code waitNanos} while none is queued. Each is this node's to start
   * (or give back) from then on.
   */
  List<JobRecord> take(String endpoint, int max, long waitNanos) throws InterruptedException;

  /** Puts jobs this node took but did not start back at the front of their queue. */
  void giveBack(List<? extends StoredJob> jobs);

  /**
   * The ids this node has claimed (taken and not yet ended) as the store keeps them: after the
   * store was out of reach, a take or a start that was applied though its answer never came
   * leaves a claim the node does not know of, which it then gives back or redelivers.
   */
  List<JobId> claimed();

  /** The job's record as kept now, or {@code null}, exactly as {@link #find} answers. */
  JobRecord load(JobId id);

  /** The queued jobs of {@code endpoint}, across every node. */
  List<JobRecord> queued(String endpoint);

  /** The job counts of {@code endpoint} across every node. */
  Health.Jobs counts(String endpoint);

  /** Records this node's workers of {@code endpoint} now (the engine reports them every second). */
  void reportWorkers(String endpoint, Health.Workers local);

  /** The workers of {@code endpoint} summed over the live nodes, as each last reported them. */
  Health.Workers workers(String endpoint);

  /**
   * Appends a chunk to the stream of the run {@code running}.
   *
   * @return {@code false} when that run no longer runs (the chunk is dropped)
   */
  boolean emit(StoredJob job, JobState running, Object chunk);

  /** Every chunk of the job's current attempt. */
  List<Object> chunks(JobId id);

  /**
   * The chunks of the job's current attempt that no {@code /stream} call returned yet, now
   * marked returned, atomically across the nodes; when {@code outputIsChunk} (a handler that
   * does not stream), a COMPLETED job's output counts as its one chunk.
   */
  List<Object> drain(JobId id, boolean outputIsChunk);
}
