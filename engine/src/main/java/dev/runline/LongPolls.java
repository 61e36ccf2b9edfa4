package dev.runline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The waits of {@code /runsync}, {@code /status-sync} and {@code /stream}: a future completed
 * by the job (its end, or its next chunk) or by a timer when the wait passes first. No
 * thread waits per caller.
 */
final class LongPolls {
  private final Timers timers;
  private final Executor executor;

  LongPolls(Timers timers, Executor executor) {
    this.timers = timers;
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
    Future<?> timer = timers.schedule(() -> executor.execute(() -> {
      JobStatus now = current(job, pendingForm);
      // A job that ended just now is answered by its end's signal, which follows at once:
      // no waiter sees an end before the listeners have heard of it.
      if (!now.status().isTerminal()) {
        result.complete(now);
      }
    }), wait.toNanos());
    terminal.whenComplete((status, error) -> {
      // Answer first: the waiter need not wait for the timer's removal from the timer queue.
      result.complete(status);
      timer.cancel(false);
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
    Future<?> timer = timers.schedule(() -> executor.execute(answer), wait.toNanos());
    change[0].whenComplete((v, error) -> {
      timer.cancel(false);
      answer.run();
    });
    return result;
  }

  private static JobStatus current(Job job, boolean pendingForm) {
    JobStatus status = job.statusBody();
    return pendingForm && !status.status().isTerminal() ? status.pending() : status;
  }
}
