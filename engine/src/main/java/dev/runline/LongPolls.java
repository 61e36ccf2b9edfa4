package dev.runline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The waits of {@code /runsync}, {@code /status-sync} and {@code /stream}: a future completed
 * by the job (its end, or its next chunk) or at its deadline ({@link WaitDeadlines}) when the
 * wait passes first. No thread waits per caller, and no timer is made per caller.
 */
final class LongPolls {
  private final WaitDeadlines deadlines;
  private final Executor executor;

  LongPolls(WaitDeadlines deadlines, Executor executor) {
    this.deadlines = deadlines;
    this.executor = executor;
  }

  /**
   * Completes with the job's status body at its end, or as it is when {@code wait} passes
   * ({@code pendingForm}: only id, status and delay, as {@code /runsync} answers then).
   */
  CompletableFuture<JobStatus> end(Job job, Duration wait, boolean pendingForm) {
    CompletableFuture<JobStatus> terminal = job.terminal();
    if (terminal.isDone()) {
      return terminal;
    }
    if (wait.isZero()) {
      return CompletableFuture.completedFuture(current(job, pendingForm));
    }
    CompletableFuture<JobStatus> result = new CompletableFuture<>();
    WaitDeadlines.Deadline deadline = deadlines.after(wait.toNanos(), () -> executor.execute(() -> {
      JobStatus now = current(job, pendingForm);
      // A job that ended just now is answered by its end's signal, which follows at once:
      // no waiter sees an end before the listeners have heard of it.
      if (!now.status().isTerminal()) {
        result.complete(now);
      }
    }));
    terminal.whenComplete((status, error) -> {
      result.complete(status);
      deadline.cancel();
    });
    return result;
  }

  /**
   * Completes with the chunks not yet returned, at once when there are some or the job is
   * terminal, else at the next chunk, the end, or when {@code wait} passes.
   */
  CompletableFuture<StreamBatch> chunks(Job job, Duration wait) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void>[] change = new CompletableFuture[1];
    StreamBatch now = job.drain(wait.isZero() ? null : change);
    if (now != null) {
      return CompletableFuture.completedFuture(now);
    }
    CompletableFuture<StreamBatch> result = new CompletableFuture<>();
    AtomicBoolean once = new AtomicBoolean();
    Runnable answer = () -> {
      if (once.compareAndSet(false, true)) {
        result.complete(job.drain(null));
      }
    };
    WaitDeadlines.Deadline deadline = deadlines.after(wait.toNanos(), () -> executor.execute(answer));
    change[0].whenComplete((v, error) -> {
      deadline.cancel();
      answer.run();
    });
    return result;
  }

  private static JobStatus current(Job job, boolean pendingForm) {
    JobStatus status = job.statusBody();
    return pendingForm && !status.status().isTerminal() ? status.pending() : status;
  }
}
