package dev.runline.remote;

import dev.runline.Health;
import dev.runline.Status;
import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.spi.Attempt;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.JobState;
import dev.runline.spi.QueuedJob;
import dev.runline.spi.WaitingJobs;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code remote} backend of one endpoint: the jobs waiting for a worker, the takes waiting
 * for a job, the jobs each worker holds (leases), the stop signals owed to each worker, and
 * the workers seen lately.
 *
 * <p><b>Takes.</b> A job dispatched by the engine waits here (normal priority first) until a
 * worker's take finds it; a take that finds none is held as a future, answered by the next job
 * dispatched or, empty, when {@code takeWait} passes on the engine's timers. Starting a job
 * ({@link QueuedJob#start}) makes it IN_PROGRESS on the taking worker and hands back its
 * attempt, to which a stop hook is bound before the job leaves: a job cancelled, purged or
 * expired while it waited is never handed out.
 *
 * <p><b>Reports.</b> A result, progress value or chunk is matched to the attempt it belongs to
 * through the job itself ({@link BackendContext#runningAttempt}): the job must be IN_PROGRESS on
 * the reporting worker. What arrives for a job that has ended is acknowledged and ignored; what
 * arrives from a worker that does not hold the job is refused and changes nothing.
 *
 * <p><b>Leases.</b> A worker keeps a job while it names it in a heartbeat or reports on it
 * within {@code leaseTimeout}. One periodic look (a quarter of the lease, at most a second)
 * takes back the jobs of silent workers: each is redelivered (queued again as a new run) until
 * it has been {@code maxRedeliveries} times, then fails naming the worker. The same look forgets
 * workers silent for {@code leaseTimeout} that hold nothing and wait for nothing.
 *
 * <p><b>Stops.</b> An attempt ended from outside (a cancel, its execution timeout or ttl) runs
 * its stop hook, which puts the job on its worker's stop list and answers the worker's waiting
 * {@code job-stop} request, if any.
 *
 * <p>All of this is guarded by one lock; futures are completed outside it, and the engine's
 * own calls that may come back here (a redelivery dispatches the job again) are made outside it.
 */
final class RemoteBackend implements Backend, RemoteWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBackend.class);
  private static final int MAX_WORKER_ID = 256;
  private static final long MAX_LOOK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MIN_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  private final BackendContext context;
  private final RemoteSettings settings;
  private final String endpoint;
  private final TimeSource time;
  private final Timers timers;
  private final TimeMeter meter;
  private final long leaseNanos;
  private final long lookNanos;
  private final WaitingJobs waiting = new WaitingJobs();
  private final Object lock = new Object();

  // Guarded by lock.
  private final ArrayDeque<PendingTake> takers = new ArrayDeque<>();
  private final Map<String, WorkerRecord> workers = new HashMap<>();
  private final Map<String, Lease> leases = new HashMap<>();
  private boolean closed;
  private Future<?> look;

  private final LongAdder taken = new LongAdder();
  private final LongAdder results = new LongAdder();
  private final LongAdder redeliveries = new LongAdder();
  private final LongAdder workersLost = new LongAdder();
  private final LongAdder throttled = new LongAdder();

  RemoteBackend(BackendContext context, RemoteSettings settings) {
    this.context = context;
    this.settings = settings;
    this.endpoint = context.endpoint().name();
    this.time = context.time();
    this.timers = context.timers();
    this.meter = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return time.nanoTime();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
    this.leaseNanos = settings.leaseTimeout().toNanos();
    this.lookNanos = Math.max(MIN_LOOK_NANOS, Math.min(MAX_LOOK_NANOS, leaseNanos / 4));
    synchronized (lock) {
      look = timers.schedule(this::lookAtLeases, lookNanos);
    }
  }

  // ---- jobs from the engine ------------------------------------------------------------

  @Override
  public void dispatch(List<QueuedJob> batch) {
    waiting.addAll(batch);
    List<Runnable> answers = new ArrayList<>();
    synchronized (lock) {
      while (!takers.isEmpty()) {
        PendingTake take = takers.peek();
        if (take.future.isDone()) {
          takers.poll();
          continue;
        }
        List<Lease> jobs = handOut(take.worker, take.batch);
        if (jobs.isEmpty()) {
          break;
        }
        takers.poll();
        answers.add(() -> {
          if (!take.future.complete(handouts(jobs))) {
            // The worker went away while its take was answered: its jobs go back at once.
            takeBack(jobs, "its take request was closed before the jobs reached it");
          }
        });
      }
    }
    answers.forEach(Runnable::run);
  }

  /** Starts up to {@code max} waiting jobs on {@code worker} and leases them to it. Under the lock. */
  private List<Lease> handOut(WorkerRecord worker, int max) {
    List<Lease> out = new ArrayList<>();
    while (out.size() < max) {
      QueuedJob job = waiting.poll();
      if (job == null) {
        break;
      }
      Optional<Attempt> started = job.start(worker.id);
      if (started.isEmpty()) {
        continue;
      }
      Attempt attempt = started.get();
      Lease lease = new Lease(attempt.id(), attempt, worker, time.nanoTime());
      if (!attempt.onStop(() -> stoppedFromOutside(lease))) {
        continue;
      }
      leases.put(lease.jobId, lease);
      worker.jobs.add(lease.jobId);
      taken.increment();
      out.add(lease);
    }
    return out;
  }

  private static List<WorkerJob> handouts(List<Lease> jobs) {
    List<WorkerJob> out = new ArrayList<>(jobs.size());
    for (Lease lease : jobs) {
      out.add(new WorkerJob(lease.jobId, lease.attempt.input(), lease.attempt.s3Config()));
    }
    return out;
  }

  // ---- the worker protocol -------------------------------------------------------------

  @Override
  public CompletableFuture<List<WorkerJob>> take(String workerId, int batchSize) {
    checkWorkerId(workerId);
    int batch = Math.max(1, Math.min(batchSize, settings.maxBatch()));
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.completedFuture(List.of());
      }
      WorkerRecord worker = seen(workerId);
      ConsumptionProbe probe = worker.takes.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        worker.throttled = true;
        throttled.increment();
        throw new WorkerThrottledException("worker '" + workerId + "' asks for jobs of endpoint '" + endpoint
            + "' faster than " + settings.maxTakeRate() + " takes a second (backendSettings.maxTakeRate); wait and "
            + "take again", Duration.ofNanos(probe.getNanosToWaitForRefill()));
      }
      worker.throttled = false;
      List<Lease> jobs = handOut(worker, batch);
      if (!jobs.isEmpty() || settings.takeWait().isZero()) {
        return CompletableFuture.completedFuture(handouts(jobs));
      }
      PendingTake take = new PendingTake(worker, batch);
      takers.add(take);
      worker.openPolls++;
      take.timer = timers.schedule(() -> take.future.complete(List.of()), settings.takeWait().toNanos());
      take.future.whenComplete((jobsGiven, failure) -> pollEnded(worker, take.timer, () -> takers.remove(take)));
      return take.future;
    }
  }

  @Override
  public CompletableFuture<List<String>> stopSignals(String workerId) {
    checkWorkerId(workerId);
    CompletableFuture<List<String>> replaced = null;
    CompletableFuture<List<String>> answer;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.completedFuture(List.of());
      }
      WorkerRecord worker = seen(workerId);
      if (!worker.stops.isEmpty() || settings.takeWait().isZero()) {
        return CompletableFuture.completedFuture(worker.drainStops());
      }
      if (worker.stopPoll != null) {
        // One stop request per worker is held: an older one is answered, empty, by the newer.
        replaced = worker.stopPoll;
      }
      CompletableFuture<List<String>> poll = new CompletableFuture<>();
      worker.stopPoll = poll;
      worker.openPolls++;
      Future<?> timer = timers.schedule(() -> poll.complete(List.of()), settings.takeWait().toNanos());
      poll.whenComplete((ids, failure) -> pollEnded(worker, timer, () -> {
        if (worker.stopPoll == poll) {
          worker.stopPoll = null;
        }
      }));
      answer = poll;
    }
    if (replaced != null) {
      replaced.complete(List.of());
    }
    return answer;
  }

  /** A held request of {@code worker} was answered or given up: it counts as seen now. */
  private void pollEnded(WorkerRecord worker, Future<?> timer, Runnable forget) {
    timer.cancel(false);
    synchronized (lock) {
      forget.run();
      worker.openPolls--;
      worker.lastSeen = time.nanoTime();
    }
  }

  @Override
  public ReportAnswer report(String workerId, String jobId, WorkerResult result) {
    checkWorkerId(workerId);
    String what = result.progress() ? "progress update" : "result";
    noteSeen(workerId);
    Optional<Attempt> running = context.runningAttempt(jobId, workerId);
    if (running.isEmpty()) {
      return notHeld(workerId, jobId, what);
    }
    Attempt attempt = running.get();
    if (result.progress()) {
      renew(jobId, workerId);
      try {
        attempt.progress(result.output());
      } catch (IllegalArgumentException tooLarge) {
        return failedBy(attempt, workerId, tooLarge);
      }
      return attempt.isCancelled() ? ignored(jobId, what) : ReportAnswer.accepted("progress shown");
    }
    if (result.error() != null) {
      attempt.fail(result.error(), result.output());
    } else {
      if (!result.stream() && result.output() != null) {
        // A plain handler's output is also its stream's one chunk, as for local handlers; an
        // output over the size limit fails the job at the complete below, naming the limit.
        try {
          attempt.emit(result.output());
        } catch (IllegalArgumentException tooLarge) {
          LOG.debug("job {}: its output is not streamed: {}", jobId, tooLarge.getMessage());
        }
      }
      attempt.complete(result.output());
    }
    WorkerRecord worker;
    synchronized (lock) {
      worker = release(jobId, workerId);
      if (result.stopPod() && worker != null && worker.jobs.isEmpty() && worker.openPolls == 0) {
        // The worker asked to be replaced: it leaves after this job (the library exits).
        workers.remove(workerId);
      }
    }
    results.increment();
    LOG.debug("job {} of endpoint '{}' ended by worker '{}'", jobId, endpoint, workerId);
    return ReportAnswer.accepted(result.error() != null ? "job failed" : "job completed");
  }

  @Override
  public ReportAnswer streamChunk(String workerId, String jobId, Object chunk) {
    checkWorkerId(workerId);
    noteSeen(workerId);
    Optional<Attempt> running = context.runningAttempt(jobId, workerId);
    if (running.isEmpty()) {
      return notHeld(workerId, jobId, "stream chunk");
    }
    Attempt attempt = running.get();
    renew(jobId, workerId);
    try {
      return attempt.emit(chunk) ? ReportAnswer.accepted("chunk added") : ignored(jobId, "stream chunk");
    } catch (IllegalArgumentException tooLarge) {
      return failedBy(attempt, workerId, tooLarge);
    }
  }

  @Override
  public void ping(String workerId, List<String> jobIds, String unhealthyReason) {
    checkWorkerId(workerId);
    List<String> notRenewed = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      WorkerRecord worker = seen(workerId);
      worker.unhealthy = unhealthyReason;
      long now = time.nanoTime();
      for (String jobId : jobIds) {
        Lease lease = leases.get(jobId);
        if (lease != null && lease.worker == worker) {
          lease.renewedAt = now;
        } else {
          notRenewed.add(jobId);
        }
      }
    }
    for (String jobId : notRenewed) {
      // A job the worker still runs that is no longer its own (ended, or taken back and given
      // to another): it is told to stop.
      Optional<JobState> state = context.jobState(jobId);
      if (state.isPresent() && context.runningAttempt(jobId, workerId).isEmpty()) {
        tellToStop(workerId, jobId);
      }
    }
  }

  @Override
  public RemoteStats stats() {
    return new RemoteStats(taken.sum(), results.sum(), redeliveries.sum(), workersLost.sum(), throttled.sum());
  }

  // ---- leases and stops ----------------------------------------------------------------

  /** The stop hook of a leased attempt: it was cancelled, timed out or expired. */
  private void stoppedFromOutside(Lease lease) {
    CompletableFuture<List<String>> poll;
    List<String> ids;
    synchronized (lock) {
      if (leases.get(lease.jobId) != lease) {
        return;
      }
      leases.remove(lease.jobId);
      lease.worker.jobs.remove(lease.jobId);
      lease.worker.stops.add(lease.jobId);
      poll = lease.worker.stopPoll;
      lease.worker.stopPoll = null;
      ids = poll == null ? null : lease.worker.drainStops();
    }
    if (poll != null) {
      poll.complete(ids);
    }
  }

  private void tellToStop(String workerId, String jobId) {
    CompletableFuture<List<String>> poll;
    List<String> ids;
    synchronized (lock) {
      WorkerRecord worker = workers.get(workerId);
      if (worker == null) {
        return;
      }
      worker.stops.add(jobId);
      poll = worker.stopPoll;
      worker.stopPoll = null;
      ids = poll == null ? null : worker.drainStops();
    }
    if (poll != null) {
      poll.complete(ids);
    }
  }

  /** Takes back jobs whose lease ran out, then forgets workers gone silent; runs on the timers. */
  private void lookAtLeases() {
    List<Lease> expired = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      long now = time.nanoTime();
      Set<WorkerRecord> lost = new LinkedHashSet<>();
      for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
        Lease lease = it.next();
        if (now - lease.renewedAt >= leaseNanos) {
          it.remove();
          lease.worker.jobs.remove(lease.jobId);
          expired.add(lease);
          lost.add(lease.worker);
        }
      }
      workersLost.add(lost.size());
      // A worker that owes stop signals (its jobs were just taken back) is kept a lease longer,
      // so that it learns of them should it come back.
      workers.values().removeIf(w -> w.jobs.isEmpty() && w.openPolls == 0 && !lost.contains(w)
          && now - w.lastSeen >= (w.stops.isEmpty() ? leaseNanos : 2 * leaseNanos));
      look = timers.schedule(this::lookAtLeases, lookNanos);
    }
    takeBack(expired, "no heartbeat naming it and no result for " + settings.leaseTimeout().toMillis()
        + " ms (backendSettings.leaseTimeout)");
  }

  /** Offers the leased jobs again, or fails those offered {@code maxRedeliveries} times. Outside the lock. */
  private void takeBack(List<Lease> lost, String why) {
    for (Lease lease : lost) {
      Attempt attempt = lease.attempt;
      String worker = lease.worker.id;
      if (attempt.redeliveries() < settings.maxRedeliveries()) {
        if (attempt.redeliver()) {
          redeliveries.increment();
          LOG.info("job {} of endpoint '{}' taken back from worker '{}' ({}) and queued again", lease.jobId, endpoint,
              worker, why);
        }
      } else {
        attempt.fail("worker '" + worker + "' was lost running this job: " + why + "; the job was offered "
            + (attempt.redeliveries() + 1) + " time(s), the most allowed (backendSettings.maxRedeliveries "
            + settings.maxRedeliveries() + ")", null);
        LOG.info("job {} of endpoint '{}' failed: worker '{}' was lost ({})", lease.jobId, endpoint, worker, why);
      }
      // Should the worker still be alive (its heartbeats lost, say), it stops the job.
      tellToStop(worker, lease.jobId);
    }
  }

  private void renew(String jobId, String workerId) {
    synchronized (lock) {
      Lease lease = leases.get(jobId);
      if (lease != null && lease.worker.id.equals(workerId)) {
        lease.renewedAt = time.nanoTime();
      }
    }
  }

  /** Drops the lease of {@code jobId} if {@code workerId} holds it; the worker's record, if known. Under the lock. */
  private WorkerRecord release(String jobId, String workerId) {
    Lease lease = leases.get(jobId);
    if (lease != null && lease.worker.id.equals(workerId)) {
      leases.remove(jobId);
      lease.worker.jobs.remove(jobId);
    }
    return workers.get(workerId);
  }

  /** A report for a job not running on the reporting worker: ignored when the job ended, refused otherwise. */
  private ReportAnswer notHeld(String workerId, String jobId, String what) {
    Optional<JobState> state = context.jobState(jobId);
    if (state.isEmpty()) {
      return ReportAnswer.ignored("endpoint '" + endpoint + "' keeps no job '" + jobId + "' (it ended and expired, "
          + "or never was); the " + what + " changed nothing");
    }
    JobState s = state.get();
    if (s.status().isTerminal()) {
      return ReportAnswer.ignored("job '" + jobId + "' already ended " + s.status() + "; the " + what
          + " changed nothing");
    }
    synchronized (lock) {
      release(jobId, workerId);
    }
    tellToStop(workerId, jobId);
    return ReportAnswer.refused("worker '" + workerId + "' does not hold job '" + jobId + "': it is "
        + (s.status() == Status.IN_QUEUE ? "queued again" : "running on worker '" + s.workerId() + "'")
        + " (a lease is lost after " + settings.leaseTimeout().toMillis() + " ms without a heartbeat naming the job "
        + "or a result); the " + what + " changed nothing");
  }

  private static ReportAnswer ignored(String jobId, String what) {
    return ReportAnswer.ignored("job '" + jobId + "' already ended; the " + what + " changed nothing");
  }

  /** A chunk or progress value too large for the endpoint fails the job, as it would a local handler. */
  private ReportAnswer failedBy(Attempt attempt, String workerId, IllegalArgumentException tooLarge) {
    attempt.fail(tooLarge);
    synchronized (lock) {
      release(attempt.id(), workerId);
    }
    tellToStop(workerId, attempt.id());
    return ReportAnswer.accepted("job failed: " + tooLarge.getMessage());
  }

  // ---- workers -------------------------------------------------------------------------

  /** The record of {@code workerId}, made at its first request, marked seen now. Under the lock. */
  private WorkerRecord seen(String workerId) {
    WorkerRecord worker = workers.computeIfAbsent(workerId, WorkerRecord::new);
    worker.lastSeen = time.nanoTime();
    return worker;
  }

  private void noteSeen(String workerId) {
    synchronized (lock) {
      if (!closed) {
        seen(workerId);
      }
    }
  }

  private static void checkWorkerId(String workerId) {
    boolean valid = workerId != null && !workerId.isEmpty() && workerId.length() <= MAX_WORKER_ID;
    for (int i = 0; valid && i < workerId.length(); i++) {
      char c = workerId.charAt(i);
      valid = c > ' ' && c != 0x7f;
    }
    if (!valid) {
      throw new IllegalArgumentException("a worker id must be 1 to " + MAX_WORKER_ID + " printable characters "
          + "without spaces (the worker library sends RUNPOD_POD_ID, or a random UUID)");
    }
  }

  /**
   * Running: workers holding jobs. Idle (and ready): workers seen within {@code leaseTimeout}
   * holding none. Unhealthy: workers whose latest heartbeat reported so. Throttled: workers
   * whose latest take was refused for its rate.
   */
  @Override
  public Health.Workers workers() {
    int idle = 0;
    int running = 0;
    int unhealthy = 0;
    int slowed = 0;
    synchronized (lock) {
      long now = time.nanoTime();
      for (WorkerRecord worker : workers.values()) {
        if (worker.jobs.isEmpty() && worker.openPolls == 0 && now - worker.lastSeen >= leaseNanos) {
          continue;
        }
        if (worker.unhealthy != null) {
          unhealthy++;
        } else if (worker.throttled) {
          slowed++;
        } else if (!worker.jobs.isEmpty()) {
          running++;
        } else {
          idle++;
        }
      }
    }
    return new Health.Workers(idle, 0, idle, running, slowed, unhealthy);
  }

  /**
   * Answers every held take (empty) and stop request (with what is owed), and stops looking at
   * leases. The engine has drained or cancelled the jobs by now; what is still running is
   * cancelled by it, whose stop signals no worker is waiting for any more.
   */
  @Override
  public void close() {
    List<PendingTake> takes;
    Map<CompletableFuture<List<String>>, List<String>> stops = new HashMap<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      look.cancel(false);
      takes = new ArrayList<>(takers);
      takers.clear();
      for (WorkerRecord worker : workers.values()) {
        if (worker.stopPoll != null) {
          stops.put(worker.stopPoll, worker.drainStops());
          worker.stopPoll = null;
        }
      }
    }
    takes.forEach(take -> take.future.complete(List.of()));
    stops.forEach(CompletableFuture::complete);
  }

  /** A job held by a worker: its attempt, and when the worker last spoke of it. */
  private static final class Lease {
    final String jobId;
    final Attempt attempt;
    final WorkerRecord worker;
    long renewedAt;

    Lease(String jobId, Attempt attempt, WorkerRecord worker, long renewedAt) {
      this.jobId = jobId;
      this.attempt = attempt;
      this.worker = worker;
      this.renewedAt = renewedAt;
    }
  }

  /** A take request held until a job comes or {@code takeWait} passes. */
  private static final class PendingTake {
    final WorkerRecord worker;
    final int batch;
    final CompletableFuture<List<WorkerJob>> future = new CompletableFuture<>();
    Future<?> timer;

    PendingTake(WorkerRecord worker, int batch) {
      this.worker = worker;
      this.batch = batch;
    }
  }

  /** What the backend knows of one worker. Guarded by the backend's lock. */
  private final class WorkerRecord {
    final String id;
    final Set<String> jobs = new LinkedHashSet<>();
    final Set<String> stops = new LinkedHashSet<>();
    final Bucket takes;
    long lastSeen;
    int openPolls;
    CompletableFuture<List<String>> stopPoll;
    String unhealthy;
    boolean throttled;

    WorkerRecord(String id) {
      this.id = id;
      this.takes = Bucket.builder()
          .addLimit(l -> l.capacity(settings.maxTakeRate()).refillGreedy(settings.maxTakeRate(), Duration.ofSeconds(1)))
          .withCustomTimePrecision(meter)
          .build();
    }

    List<String> drainStops() {
      List<String> ids = List.copyOf(stops);
      stops.clear();
      return ids;
    }
  }
}
