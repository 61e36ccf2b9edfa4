package dev.runline;

import dev.runline.spi.Attempt;
import dev.runline.spi.JobId;
import dev.runline.spi.JobRecord;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.StoredJob;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A job: what was submitted, its current {@link JobState}, and what follows its current
 * attempt (the thread running it, its stream, the callers waiting for its end).
 *
 * <p>Every change of state goes through {@link #transition}: a {@link Transition} says what
 * the next state is, the {@link JobStore} makes it by compare-and-set, and whoever wins does
 * the change's side effects through {@link EndpointRuntime#onTransition}. The ttl wins over
 * any other change once it has passed.
 *
 * <p>The running thread, the stream and the waiters are kept under the job's monitor, so an
 * interrupt from a cancel or a timeout reaches the thread only while it runs this attempt,
 * and no chunk is told after the end.
 */
final class Job implements QueuedJob, StoredJob {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Job.class, "state", JobState.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // A retained job is this object and its last JobState: its fields are kept few and small.
  /** The id's bits ({@link JobId}), not the id object: 16 bytes instead of a 32-byte object. */
  private final long idHigh;
  private final long idLow;
  final EndpointRuntime endpoint;
  final String owner;
  final Object input;
  /** The request's webhook and s3Config: one shared empty instance for the many jobs with neither. */
  private final Extras extras;
  /** Milliseconds, as ints: a policy is at most 7 days. */
  private final int ttlMillis;
  private final int executionTimeoutMillis;
  final boolean lowPriority;
  final boolean sync;

  private volatile JobState state;

  /** Guarded by this: {@code null} while nothing follows the current attempt and its end was not signalled. */
  private Followers followers;

  /** The parts of a request that few jobs have. */
  private record Extras(URI webhook, Object s3Config) {
    static final Extras NONE = new Extras(null, null);

    static Extras of(JobRequest request) {
      return request.webhook() == null && request.s3Config() == null ? NONE
          : new Extras(request.webhook(), request.s3Config());
    }
  }

  Job(JobId id, EndpointRuntime endpoint, String owner, JobRequest request, Policy policy, boolean sync, long now) {
    this.idHigh = id.high();
    this.idLow = id.low();
    this.endpoint = endpoint;
    this.owner = owner;
    this.input = request.input();
    this.extras = Extras.of(request);
    this.ttlMillis = Math.toIntExact(policy.ttl().toMillis());
    this.executionTimeoutMillis = Math.toIntExact(policy.executionTimeout().toMillis());
    this.lowPriority = policy.lowPriority();
    this.sync = sync;
    this.state = JobState.queued(1, now);
  }

  /** This node's object for a job another node (or this one, earlier) stored in a shared store. */
  Job(JobRecord record, EndpointRuntime endpoint) {
    JobId id = record.id();
    this.idHigh = id.high();
    this.idLow = id.low();
    this.endpoint = endpoint;
    this.owner = record.owner();
    this.input = record.input();
    this.extras = record.webhook() == null && record.s3Config() == null ? Extras.NONE
        : new Extras(record.webhook(), record.s3Config());
    this.ttlMillis = record.ttlMillis();
    this.executionTimeoutMillis = record.executionTimeoutMillis();
    this.lowPriority = record.lowPriority();
    this.sync = record.sync();
    this.state = record.state();
    if (state.status().isTerminal()) {
      // Its end was told where it happened: whoever waits here for it has it at once.
      this.followers = Followers.ENDED;
    }
  }

  /** All of this job, for a shared store. */
  JobRecord record() {
    return new JobRecord(id(), endpoint.name(), owner, input, ttlMillis, executionTimeoutMillis, lowPriority, sync,
        webhook(), s3Config(), state);
  }

  // ---- the transition primitive --------------------------------------------------------

  /**
   * Applies {@code change} by compare-and-set in the store, retrying while another change
   * slips in between, until it wins or no longer applies. Once the ttl has passed on a live
   * job, the ttl's own change ({@link Transitions#EXPIRE}) is applied instead.
   *
   * @return the state {@code change} made, or {@code null} when it did not apply
   */
  JobState transition(Transition change) {
    JobStore store = endpoint.store();
    while (true) {
      JobState from = state;
      long now = endpoint.now();
      boolean expiring = change == Transitions.EXPIRE
          || Transitions.isLive(from) && now - from.queuedAt() >= ttlNanos();
      Transition applied = expiring ? Transitions.EXPIRE : change;
      JobState to = applied.next(this, from, now);
      if (to == null) {
        return null;
      }
      if (expiring ? store.expire(this, from, to) : store.compareAndSet(this, from, to)) {
        endpoint.onTransition(this, from, to, expiring);
        return applied == change ? to : null;
      }
      if (state == from) {
        // Refused with nothing newer to compute from: the job is gone from a shared store (its
        // retention or ttl passed through another node), so no change of it applies any more.
        return null;
      }
    }
  }

  @Override
  public boolean compareAndSetState(JobState expected, JobState next) {
    return STATE.compareAndSet(this, expected, next);
  }

  /**
   * A state a shared store holds for this job, which may be newer than the one this node saw
   * (another node changed the job): takes it when it is, and does what a change seen from
   * elsewhere does here (the listeners and the webhook were the changing node's).
   */
  @Override
  public void observe(JobState kept) {
    while (true) {
      JobState seen = state;
      if (kept.version() <= seen.version()) {
        return;
      }
      if (STATE.compareAndSet(this, seen, kept)) {
        endpoint.onObserved(this, seen, kept);
        return;
      }
    }
  }

  // ---- identity ------------------------------------------------------------------------

  @Override
  public JobId id() {
    return JobId.fromBits(idHigh, idLow, sync);
  }

  @Override
  public boolean hasId(JobId id) {
    return id.is(idHigh, idLow, sync);
  }

  @Override
  public int idTag() {
    return (int) (idHigh >>> 32);
  }

  /** The id as the API writes it. */
  String idText() {
    return id().toString();
  }

  URI webhook() {
    return extras.webhook();
  }

  Object s3Config() {
    return extras.s3Config();
  }

  @Override
  public String endpoint() {
    return endpoint.name();
  }

  @Override
  public JobState state() {
    return state;
  }

  @Override
  public Object input() {
    return input;
  }

  @Override
  public boolean lowPriority() {
    return lowPriority;
  }

  int ttlMillis() {
    return ttlMillis;
  }

  int executionTimeoutMillis() {
    return executionTimeoutMillis;
  }

  @Override
  public long ttlNanos() {
    return ttlMillis * 1_000_000L;
  }

  long executionTimeoutNanos() {
    return executionTimeoutMillis * 1_000_000L;
  }

  @Override
  public int queueCapacity() {
    return endpoint.config.queueCapacity();
  }

  @Override
  public long retentionNanos() {
    Endpoint config = endpoint.config;
    return (sync ? config.runSyncRetention() : config.runRetention()).toNanos();
  }

  JobStatus statusBody() {
    return state.toStatus(idText(), endpoint.now());
  }

  // ---- what a backend does -----------------------------------------------------------

  @Override
  public boolean isQueued() {
    return state.status() == Status.IN_QUEUE;
  }

  @Override
  public Optional<Attempt> start(String workerId) {
    JobState started;
    try {
      started = transition(Transitions.start(endpoint.workerName(workerId)));
    } catch (StoreUnavailableException e) {
      // The shared store is out of reach: not started here; it goes back to the queue once the store is.
      endpoint.shared().giveBackLater(this);
      return Optional.empty();
    }
    if (started == null) {
      SharedMode shared = endpoint.shared();
      if (shared != null) {
        // Cancelled meanwhile, or no longer this node's to start (taken back from it by another).
        shared.leaveHand(this);
      }
      return Optional.empty();
    }
    return Optional.of(new RunningAttempt(this, started));
  }

  /** Binds {@code thread} as the runner of {@code run}; {@code false} when that run is over. */
  synchronized boolean bindRunner(JobState run, Thread thread) {
    if (!state.isRunOf(run)) {
      return false;
    }
    followers().runner = thread;
    return true;
  }

  synchronized void unbindRunner() {
    Followers f = followers;
    if (f != null && !f.isEnded()) {
      f.runner = null;
      if (f.isEmpty()) {
        // Nothing follows: drop the object, keeping only whether the end was signalled.
        followers = f.signalled ? Followers.ENDED : null;
      }
    }
  }

  /**
   * Binds {@code stop} as what tells the worker running {@code run} elsewhere to stop;
   * {@code false} when that run is over.
   */
  synchronized boolean bindStopper(JobState run, Runnable stop) {
    if (!state.isRunOf(run)) {
      return false;
    }
    followers().stopper = stop;
    return true;
  }

  /**
   * The current attempt was ended from outside it: interrupts the thread running it, unless it
   * is the caller (ending its own attempt), and runs what stops its worker elsewhere, once.
   */
  void interruptRunner() {
    Runnable stop = null;
    synchronized (this) {
      Followers f = followers;
      if (f == null || f.isEnded()) {
        return;
      }
      Thread runner = f.runner;
      if (runner != null && runner != Thread.currentThread()) {
        runner.interrupt();
      }
      stop = f.stopper;
      f.stopper = null;
    }
    if (stop != null) {
      stop.run();
    }
  }

  /**
   * IN_PROGRESS in {@code run} back to IN_QUEUE because its worker was lost, then offered to the
   * backend again; {@code false} when that run is over.
   */
  boolean redeliver(JobState run) {
    synchronized (this) {
      if (transition(Transitions.redeliver(run)) == null) {
        return false;
      }
      Followers f = followers;
      if (f != null && !f.isEnded()) {
        f.stopper = null;
      }
    }
    endpoint.redispatch(this);
    return true;
  }

  /** Adds a chunk of a running attempt; {@code false} once that run is over. */
  boolean emit(JobState run, Object chunk) {
    Outcome.checkSize("stream chunk", chunk, endpoint.config);
    SharedMode shared = endpoint.shared();
    if (shared != null) {
      // Kept in the shared store; followers on every node (this one too) hear of it from there.
      return state.isRunOf(run) && shared.emit(this, run, chunk);
    }
    CompletableFuture<Void> change;
    synchronized (this) {
      if (!state.isRunOf(run)) {
        return false;
      }
      change = stream().add(chunk);
    }
    if (change != null) {
      change.complete(null);
    }
    return true;
  }

  /** The chunks of the current attempt so far. */
  List<Object> chunks() {
    SharedMode shared = endpoint.shared();
    return shared != null ? shared.store.chunks(id()) : localChunks();
  }

  private synchronized List<Object> localChunks() {
    StreamLog stream = followers == null ? null : followers.stream;
    return stream == null ? List.of() : stream.chunks();
  }

  /**
   * The current attempt's chunks so far, then the output of a job that did not stream once it
   * completed (its one chunk, as {@code /stream} returns it).
   */
  synchronized List<Object> streamSoFar() {
    List<Object> all = new ArrayList<>(chunks());
    Object last = finalChunk(state);
    if (last != null) {
      all.add(last);
    }
    return all;
  }

  // ---- what callers do -------------------------------------------------------------------

  /** FAILED or TIMED_OUT → IN_QUEUE as a new attempt, with nothing of the last one kept. */
  boolean requeue() {
    Followers last;
    JobState ended;
    CompletableFuture<Void> change = null;
    synchronized (this) {
      // Only a retry changes a terminal state, and retries of one job take this monitor.
      ended = state;
      if (transition(Transitions.REQUEUE) == null) {
        return false;
      }
      last = followers;
      followers = null;
      if (last != null && !last.signalled && last.stream != null) {
        // A retry so quick that the last attempt's end was not signalled yet: its followers
        // and waiters get that end, not the new attempt's.
        change = last.stream.end(null, ended.toStatus(idText(), ended.endedAt()));
      }
    }
    if (change != null) {
      change.complete(null);
    }
    if (last != null && !last.signalled) {
      complete(last.waiters, ended, null);
    }
    return true;
  }

  /**
   * Another node started a new attempt (a retry) or queued this one again (a redelivery):
   * whatever followed the last one here hears of the job as it is now, and the new one starts
   * with nothing following it.
   */
  void newAttemptSeen() {
    Followers last;
    JobState now;
    CompletableFuture<Void> change = null;
    synchronized (this) {
      last = followers;
      now = state;
      if (last == null || last.isEnded() || last.runner != null) {
        return;
      }
      followers = null;
      if (!last.signalled && last.stream != null) {
        change = last.stream.end(null, now.toStatus(idText(), endpoint.now()));
      }
    }
    if (change != null) {
      change.complete(null);
    }
    if (!last.signalled && last.waiters != null) {
      last.waiters.complete(now.toStatus(idText(), endpoint.now()));
    }
  }

  /** Completes with the status body once the current attempt is terminal. */
  CompletableFuture<JobStatus> terminal() {
    CompletableFuture<JobStatus> end = localTerminal();
    SharedMode shared = endpoint.shared();
    if (shared != null && !end.isDone()) {
      // Waiting now, then looking: an end another node made after the look is told by the
      // store's message, one made before it by the look itself.
      shared.refresh(this);
    }
    return end;
  }

  private synchronized CompletableFuture<JobStatus> localTerminal() {
    if (followers != null && followers.signalled) {
      JobState s = state;
      return CompletableFuture.completedFuture(s.toStatus(idText(), s.endedAt()));
    }
    // Not yet signalled, even if the state is already terminal: the thread that ended the job
    // completes this future after it told the listeners, so no waiter sees an end first.
    Followers f = followers();
    if (f.waiters == null) {
      f.waiters = new CompletableFuture<>();
    }
    return f.waiters;
  }

  /**
   * The chunks not yet returned by {@code /stream}, and the state; or, when there are none
   * and the job is not terminal, {@code null} with {@code onChange[0]} set to complete at
   * the next chunk or the end ({@code onChange} {@code null}: answer at once regardless).
   */
  StreamBatch drain(CompletableFuture<Void>[] onChange) {
    SharedMode shared = endpoint.shared();
    return shared == null ? localDrain(onChange) : shared.drain(this, onChange);
  }

  private synchronized StreamBatch localDrain(CompletableFuture<Void>[] onChange) {
    JobState s = state;
    Object last = finalChunk(s);
    StreamLog stream = followers == null ? null : followers.stream;
    boolean fresh = stream != null ? stream.hasNew(last) : last != null;
    if (!fresh && !s.status().isTerminal() && onChange != null) {
      onChange[0] = stream().nextChange();
      return null;
    }
    List<StreamBatch.Chunk> chunks = fresh ? stream().drain(last) : List.of();
    JobStatus body = s.toStatus(idText(), endpoint.now());
    return new StreamBatch(body.id(), body.status(), body.delayTime(), chunks);
  }

  /** Replays the attempt's chunks to {@code listener}, then follows it live until its end. */
  AutoCloseable subscribe(StreamListener listener) {
    SharedMode shared = endpoint.shared();
    if (shared != null) {
      // The chunks so far into this node's copy of the stream, which the store's messages then keep up.
      shared.refresh(this);
      shared.mirror(this);
    }
    StreamLog log;
    synchronized (this) {
      JobState s = state;
      Object last = finalChunk(s);
      StreamLog stream = followers == null ? null : followers.stream;
      if (stream != null) {
        stream.replay(listener, last);
      } else if (last != null) {
        listener.onChunk(last);
      }
      if (s.status().isTerminal()) {
        listener.onTerminal(s.toStatus(idText(), s.endedAt()));
        return () -> { };
      }
      log = stream();
      log.follow(listener);
    }
    return () -> {
      synchronized (Job.this) {
        log.unfollow(listener);
      }
    };
  }

  /**
   * Called once per attempt, by the thread whose change ended it, after the listeners and
   * the webhook: tells stream followers, then wakes the waiters. The status body is built
   * only when someone waits for it ({@code body}, when the listeners already needed one).
   */
  void signalEnd(JobState end, JobStatus body, Object lastChunk) {
    CompletableFuture<Void> change = null;
    CompletableFuture<JobStatus> waiting = null;
    synchronized (this) {
      if (state.attempt() != end.attempt()) {
        return;
      }
      Followers f = followers;
      if (f == null) {
        followers = Followers.ENDED;
      } else if (!f.isEnded()) {
        if (f.stream != null) {
          body = body != null ? body : end.toStatus(idText(), end.endedAt());
          change = f.stream.end(lastChunk, body);
        }
        waiting = f.waiters;
        f.waiters = null;
        f.stopper = null;
        f.signalled = true;
        if (f.isEmpty()) {
          followers = Followers.ENDED;
        }
      }
    }
    if (change != null) {
      change.complete(null);
    }
    complete(waiting, end, body);
  }

  /** Completes the waiters' future, if any, with the body of {@code end} ({@code body}, when already made). */
  private void complete(CompletableFuture<JobStatus> waiting, JobState end, JobStatus body) {
    if (waiting != null) {
      waiting.complete(body != null ? body : end.toStatus(idText(), end.endedAt()));
    }
  }

  /**
   * Adds to this node's copy of a shared job's stream the chunks of {@code all} (every chunk of
   * the current attempt, as the shared store keeps them) it does not have yet: the followers
   * here hear them, and a waiting {@code /stream} wakes.
   */
  void mirror(int attempt, List<Object> all) {
    CompletableFuture<Void> change = null;
    synchronized (this) {
      if (state.attempt() != attempt || state.status().isTerminal() && followers != null && followers.signalled) {
        return;
      }
      StreamLog stream = stream();
      for (int i = stream.size(); i < all.size(); i++) {
        CompletableFuture<Void> signal = stream.add(all.get(i));
        change = signal != null ? signal : change;
      }
    }
    if (change != null) {
      change.complete(null);
    }
  }

  /** Completes at this node's next news of the job (a chunk or a change), for a waiting {@code /stream}. */
  synchronized CompletableFuture<Void> nextChange() {
    return stream().nextChange();
  }

  /** Wakes a waiting {@code /stream} on news from another node. */
  void changedElsewhere() {
    CompletableFuture<Void> change;
    synchronized (this) {
      StreamLog stream = followers == null ? null : followers.stream;
      change = stream == null ? null : stream.takeChange();
    }
    if (change != null) {
      change.complete(null);
    }
  }

  /** Whether anything on this node follows the job (a waiter, a stream, a running thread). */
  synchronized boolean isFollowed() {
    return followers != null && !followers.isEnded() && !followers.isEmpty();
  }

  /** Whether something on this node follows the job's stream. */
  synchronized boolean hasStreamFollowers() {
    return followers != null && followers.stream != null;
  }

  /**
   * The chunk a job that did not stream stands for once it completed: its output. Derived,
   * not stored, so a finished job holds no chunk list of its own.
   */
  Object finalChunk(JobState s) {
    Work work = endpoint.config.work();
    // External workers stream or not job by job: their backend emits a plain output as its chunk.
    return s.status() == Status.COMPLETED && !(work instanceof Work.Streaming) && !(work instanceof Work.External)
        ? s.output() : null;
  }

  /** The current attempt's followers, made when something first follows it. */
  private Followers followers() {
    Followers f = followers;
    if (f == null || f.isEnded()) {
      Followers made = new Followers();
      made.signalled = f != null;
      followers = made;
      return made;
    }
    return f;
  }

  private StreamLog stream() {
    Followers f = followers();
    if (f.stream == null) {
      f.stream = new StreamLog();
    }
    return f.stream;
  }

  @Override
  public String toString() {
    return "Job[" + idText() + ", " + state + "]";
  }
}
