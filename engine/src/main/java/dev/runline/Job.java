package dev.runline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.spi.QueuedJob;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A job: what was submitted, and its current {@link JobState}. Every state change is a
 * compare-and-set on {@link #state}; whoever wins a transition does its side effects
 * (counters, expiry, waiters, webhook) through {@link EndpointRuntime#onTransition}.
 *
 * <p>The thread running the job is kept under the job's monitor, so an interrupt from a
 * cancel or timeout reaches it only while it runs this job, never the next one.
 */
final class Job implements QueuedJob {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Job.class, "state", JobState.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final String id;
  final EndpointRuntime endpoint;
  final String owner;
  final Object input;
  final Object s3Config;
  final URI webhook;
  /** Milliseconds, as ints: a policy is at most 7 days, and a retained job is 8 bytes smaller. */
  private final int ttlMillis;
  private final int executionTimeoutMillis;
  final boolean lowPriority;
  final boolean sync;

  private volatile JobState state;

  // Guarded by this.
  private Thread runner;
  /** Chunks, stream readers and listeners: made only for jobs that stream or are read as a stream. */
  private ChunkLog log;
  private CompletableFuture<JobStatus> terminalSignal;
  /** Whether the current attempt's end was signalled (listeners told, waiters woken). */
  private boolean signalled;

  Job(String id, EndpointRuntime endpoint, String owner, JobRequest request, Policy policy,
      boolean sync, long now) {
    this.id = id;
    this.endpoint = endpoint;
    this.owner = owner;
    this.input = request.input();
    this.s3Config = request.s3Config();
    this.webhook = request.webhook();
    this.ttlMillis = Math.toIntExact(policy.ttl().toMillis());
    this.executionTimeoutMillis = Math.toIntExact(policy.executionTimeout().toMillis());
    this.lowPriority = policy.lowPriority();
    this.sync = sync;
    this.state = JobState.queued(1, now);
  }

  JobState state() {
    return state;
  }

  long ttlNanos() {
    return ttlMillis * 1_000_000L;
  }

  long executionTimeoutNanos() {
    return executionTimeoutMillis * 1_000_000L;
  }

  /** How long the job is kept once terminal. */
  long retentionNanos() {
    return (sync ? endpoint.config.runSyncRetention() : endpoint.config.runRetention()).toNanos();
  }

  private boolean cas(JobState expected, JobState next) {
    if (next.status.isTerminal() && next.endedAt - expected.queuedAt >= ttlNanos()) {
      // The ttl passed first and wins, so the job's state and the store's expiry agree:
      // a job never ends counted as done yet missing from the store.
      expire();
      return false;
    }
    if (STATE.compareAndSet(this, expected, next)) {
      endpoint.onTransition(this, expected, next);
      return true;
    }
    return false;
  }

  JobStatus statusBody() {
    return state.toStatus(id, endpoint.now());
  }

  // ---- QueuedJob ---------------------------------------------------------------------

  @Override
  public String id() {
    return id;
  }

  @Override
  public Object input() {
    return input;
  }

  @Override
  public boolean lowPriority() {
    return lowPriority;
  }

  @Override
  public boolean isQueued() {
    return state.status == Status.IN_QUEUE;
  }

  @Override
  public boolean isRunning() {
    return state.status == Status.IN_PROGRESS;
  }

  @Override
  public void run(String workerId) {
    execute(workerId, null);
  }

  @Override
  public void run(String workerId, Handler handler) {
    execute(workerId, Objects.requireNonNull(handler, "handler"));
  }

  /** One attempt on the calling thread: the endpoint's handler, or {@code handler} when given. */
  private void execute(String workerId, Handler handler) {
    JobState started = begin(workerId, Thread.currentThread());
    if (started == null) {
      return;
    }
    Execution execution = new Execution(this, started.attempt, workerId);
    try {
      Object output = handler != null ? handler.handle(execution) : endpoint.invoke(execution);
      end(started.attempt, output, null);
    } catch (Throwable e) {
      end(started.attempt, null, e);
    } finally {
      synchronized (this) {
        runner = null;
      }
      // An interrupt aimed at this job must not leak into the worker's next one.
      Thread.interrupted();
    }
  }

  @Override
  public boolean start(String workerId) {
    return begin(workerId, null) != null;
  }

  @Override
  public void complete(Object output) {
    end(state.attempt, output, null);
  }

  @Override
  public void fail(Throwable error) {
    end(state.attempt, null, error);
  }

  // ---- transitions ---------------------------------------------------------------------

  /** IN_QUEUE → IN_PROGRESS; {@code null} when the job no longer waits. */
  private JobState begin(String workerId, Thread thread) {
    synchronized (this) {
      while (true) {
        JobState s = state;
        if (s.status != Status.IN_QUEUE) {
          return null;
        }
        long now = endpoint.now();
        if (now - s.queuedAt >= ttlNanos()) {
          expire();
          return null;
        }
        JobState next = s.started(workerId, now);
        if (cas(s, next)) {
          runner = thread;
          return next;
        }
      }
    }
  }

  /** IN_PROGRESS of {@code attempt} → COMPLETED or FAILED, from the handler's outcome. */
  void end(int attempt, Object output, Throwable error) {
    Status terminal = Status.COMPLETED;
    String message = null;
    long limit = endpoint.config.maxOutputBytes();
    if (error == null && OutputSize.exceeds(output, limit)) {
      error = new IllegalStateException(tooLarge("output", limit));
    }
    if (error != null) {
      terminal = Status.FAILED;
      message = describe(error);
      output = null;
    } else if (output instanceof Map<?, ?> map && map.containsKey("error")) {
      terminal = Status.FAILED;
      message = String.valueOf(map.get("error"));
      Map<Object, Object> rest = new LinkedHashMap<>(map);
      rest.remove("error");
      output = rest.isEmpty() ? null : rest;
    } else if (output instanceof ObjectNode node && node.has("error")) {
      terminal = Status.FAILED;
      message = node.get("error").isTextual() ? node.get("error").asText() : node.get("error").toString();
      ObjectNode rest = node.deepCopy();
      rest.remove("error");
      output = rest.isEmpty() ? null : rest;
    }
    while (true) {
      JobState s = state;
      if (s.status != Status.IN_PROGRESS || s.attempt != attempt) {
        return;
      }
      if (cas(s, s.ended(terminal, output, message, endpoint.now()))) {
        return;
      }
    }
  }

  private String tooLarge(String what, long limit) {
    return "the " + what + " is larger than endpoint '" + endpoint.name() + "' allows (maxOutputBytes "
        + limit + " bytes as JSON); return less, or raise the limit";
  }

  static String describe(Throwable error) {
    String type = error.getClass().getSimpleName();
    if (type.isEmpty()) {
      type = error.getClass().getName();
    }
    String message;
    try {
      message = error.getMessage();
    } catch (Throwable unreadable) {
      message = "(its message could not be read: " + unreadable.getClass().getName() + ")";
    }
    return message == null ? type : type + ": " + message;
  }

  /** IN_QUEUE or IN_PROGRESS → CANCELLED; the running thread is interrupted. */
  boolean cancel(String reason) {
    while (true) {
      JobState s = state;
      if (s.status.isTerminal()) {
        return false;
      }
      if (cas(s, s.ended(Status.CANCELLED, null, reason, endpoint.now()))) {
        interruptRunner();
        return true;
      }
    }
  }

  /** IN_QUEUE → {@code terminal} only; a running job is left alone. */
  boolean endIfQueued(Status terminal, String reason) {
    while (true) {
      JobState s = state;
      if (s.status != Status.IN_QUEUE) {
        return false;
      }
      if (cas(s, s.ended(terminal, null, reason, endpoint.now()))) {
        return true;
      }
    }
  }

  /** IN_PROGRESS → TIMED_OUT, when its execution timeout has passed at {@code now}. */
  void timeOutIfDue(long now) {
    while (true) {
      JobState s = state;
      if (s.status != Status.IN_PROGRESS || now - s.startedAt < executionTimeoutNanos()) {
        return;
      }
      String reason = "execution timeout of " + executionTimeoutMillis + " ms passed";
      if (cas(s, s.ended(Status.TIMED_OUT, null, reason, endpoint.now()))) {
        interruptRunner();
        return;
      }
    }
  }

  /** Not yet terminal → TIMED_OUT because the ttl passed; the store drops the job. */
  void expire() {
    while (true) {
      JobState s = state;
      if (s.status.isTerminal()) {
        return;
      }
      String reason = "ttl of " + ttlMillis + " ms passed";
      if (STATE.compareAndSet(this, s, s.ended(Status.TIMED_OUT, null, reason, endpoint.now()))) {
        endpoint.onExpired(this, s, state);
        interruptRunner();
        return;
      }
    }
  }

  /** FAILED or TIMED_OUT → IN_QUEUE as the next attempt; {@code false} from any other state. */
  boolean requeue() {
    synchronized (this) {
      while (true) {
        JobState s = state;
        if (s.status != Status.FAILED && s.status != Status.TIMED_OUT) {
          return false;
        }
        log = null;
        terminalSignal = null;
        signalled = false;
        if (cas(s, JobState.queued(s.attempt + 1, endpoint.now()))) {
          return true;
        }
      }
    }
  }

  /** Shows {@code update} as the output of a running attempt; dropped once it ended. */
  void progress(int attempt, Object update) {
    long limit = endpoint.config.maxOutputBytes();
    if (OutputSize.exceeds(update, limit)) {
      throw new IllegalArgumentException(tooLarge("progress update", limit));
    }
    while (true) {
      JobState s = state;
      if (s.status != Status.IN_PROGRESS || s.attempt != attempt) {
        return;
      }
      if (STATE.compareAndSet(this, s, s.withProgress(update))) {
        return;
      }
    }
  }

  private void interruptRunner() {
    synchronized (this) {
      if (runner != null) {
        runner.interrupt();
      }
    }
  }

  // ---- chunks and waiters ---------------------------------------------------------------

  /** A job's stream state, guarded by the job's monitor. */
  private static final class ChunkLog {
    ArrayList<Object> chunks;
    /** How many chunks {@code /stream} has returned. */
    int drained;
    /** Completes at the next chunk or the end, for a waiting {@code /stream}. */
    CompletableFuture<Void> changeSignal;
    List<StreamListener> listeners;

    int size() {
      return chunks == null ? 0 : chunks.size();
    }
  }

  private ChunkLog log() {
    if (log == null) {
      log = new ChunkLog();
    }
    return log;
  }

  /** Adds a chunk of a running attempt; {@code false} once that attempt ended. */
  boolean emit(int attempt, Object chunk) {
    long limit = endpoint.config.maxOutputBytes();
    if (OutputSize.exceeds(chunk, limit)) {
      throw new IllegalArgumentException(tooLarge("stream chunk", limit));
    }
    CompletableFuture<Void> signal;
    synchronized (this) {
      JobState s = state;
      if (s.status != Status.IN_PROGRESS || s.attempt != attempt) {
        return false;
      }
      ChunkLog l = log();
      if (l.chunks == null) {
        l.chunks = new ArrayList<>();
      }
      l.chunks.add(chunk);
      if (l.listeners != null) {
        for (StreamListener listener : l.listeners) {
          listener.onChunk(chunk);
        }
      }
      signal = l.changeSignal;
      l.changeSignal = null;
    }
    if (signal != null) {
      signal.complete(null);
    }
    return true;
  }

  /** The chunks of the current attempt so far (a copy). */
  synchronized List<Object> chunks() {
    return log == null || log.chunks == null ? List.of() : new ArrayList<>(log.chunks);
  }

  /**
   * Called once per attempt, after the winning transition to a terminal state. The status
   * body is built only when someone waits for it: most jobs have no waiter.
   */
  void signalTerminal(JobState terminal, Object lastChunk) {
    CompletableFuture<Void> change = null;
    CompletableFuture<JobStatus> done;
    synchronized (this) {
      ChunkLog l = log;
      if (l != null) {
        if (l.listeners != null) {
          if (lastChunk != null) {
            for (StreamListener listener : l.listeners) {
              listener.onChunk(lastChunk);
            }
          }
          JobStatus body = terminal.toStatus(id, terminal.endedAt);
          for (StreamListener listener : l.listeners) {
            listener.onTerminal(body);
          }
          l.listeners = null;
        }
        change = l.changeSignal;
        l.changeSignal = null;
      }
      done = terminalSignal;
      signalled = true;
    }
    if (change != null) {
      change.complete(null);
    }
    if (done != null) {
      done.complete(terminal.toStatus(id, terminal.endedAt));
    }
  }

  /** Completes with the status body once the current attempt is terminal. */
  CompletableFuture<JobStatus> terminal() {
    synchronized (this) {
      JobState s = state;
      if (signalled) {
        return terminalSignal != null ? terminalSignal : CompletableFuture.completedFuture(s.toStatus(id, s.endedAt));
      }
      // Not yet signalled, even if the state is already terminal: the thread that ended the
      // job completes this future after it told the listeners, so no waiter sees an end first.
      if (terminalSignal == null) {
        terminalSignal = new CompletableFuture<>();
      }
      return terminalSignal;
    }
  }

  /**
   * The chunks not yet returned by {@code /stream}, and the state; or, when there are none
   * and the job is not terminal, {@code null} with {@code onChange} set to complete at the
   * next chunk or terminal state.
   */
  StreamBatch drain(CompletableFuture<Void>[] onChange) {
    synchronized (this) {
      JobState s = state;
      Object last = finalChunk(s);
      int stored = log == null ? 0 : log.size();
      int drained = log == null ? 0 : log.drained;
      int size = stored + (last != null ? 1 : 0);
      if (size == drained && !s.status.isTerminal() && onChange != null) {
        ChunkLog l = log();
        if (l.changeSignal == null) {
          l.changeSignal = new CompletableFuture<>();
        }
        onChange[0] = l.changeSignal;
        return null;
      }
      List<StreamBatch.Chunk> out = new ArrayList<>(size - drained);
      for (int i = drained; i < size; i++) {
        out.add(new StreamBatch.Chunk(i < stored ? log.chunks.get(i) : last));
      }
      if (size != drained) {
        log().drained = size;
      }
      JobStatus body = s.toStatus(id, endpoint.now());
      return new StreamBatch(id, body.status(), body.delayTime(), out);
    }
  }

  /**
   * The chunk a job that did not stream stands for once it completed: its output. It is
   * derived, not stored, so a finished job holds no chunk list of its own.
   */
  private Object finalChunk(JobState s) {
    return s.status == Status.COMPLETED && !(endpoint.config.work() instanceof Work.Streaming) ? s.output : null;
  }

  /** Replays the attempt's chunks to {@code listener}, then follows it live. */
  AutoCloseable subscribe(StreamListener listener) {
    ChunkLog l;
    synchronized (this) {
      if (log != null && log.chunks != null) {
        for (Object chunk : log.chunks) {
          listener.onChunk(chunk);
        }
      }
      JobState s = state;
      Object last = finalChunk(s);
      if (last != null) {
        listener.onChunk(last);
      }
      if (s.status.isTerminal()) {
        listener.onTerminal(s.toStatus(id, s.endedAt));
        return () -> { };
      }
      l = log();
      if (l.listeners == null) {
        l.listeners = new ArrayList<>(2);
      }
      l.listeners.add(listener);
    }
    return () -> {
      synchronized (Job.this) {
        if (l.listeners != null) {
          l.listeners.remove(listener);
        }
      }
    };
  }

  /** The context handed to the handler of one attempt. */
  static final class Execution implements JobContext, ChunkSink {
    final Job job;
    final int attempt;
    final String workerId;

    Execution(Job job, int attempt, String workerId) {
      this.job = job;
      this.attempt = attempt;
      this.workerId = workerId;
    }

    @Override
    public String id() {
      return job.id;
    }

    @Override
    public String endpoint() {
      return job.endpoint.name();
    }

    @Override
    public Object input() {
      return job.input;
    }

    @Override
    public Object s3Config() {
      return job.s3Config;
    }

    @Override
    public int retries() {
      return attempt - 1;
    }

    @Override
    public String workerId() {
      return workerId;
    }

    @Override
    public void progress(Object update) {
      job.progress(attempt, update);
    }

    @Override
    public boolean isCancelled() {
      JobState s = job.state;
      return s.attempt != attempt || s.status != Status.IN_PROGRESS;
    }

    @Override
    public boolean emit(Object chunk) {
      return job.emit(attempt, chunk);
    }
  }
}
