package dev.runline;

import dev.runline.spi.Attempt;
import dev.runline.spi.JobState;
import java.util.List;
import java.util.Objects;

/**
 * One attempt of a job, as a backend holds it and a handler sees it: every change it makes
 * names its attempt, so once the attempt has ended, nothing done through it (a late
 * complete, a chunk, a progress value) reaches a later attempt of the same job.
 */
final class RunningAttempt implements Attempt {
  private final Job job;
  private final int attempt;
  private final int retries;
  private final int redeliveries;
  private final String workerId;

  /** The run of {@code job} that began as {@code started}, on {@code workerId}. */
  RunningAttempt(Job job, JobState started, String workerId) {
    this.job = job;
    this.attempt = started.attempt();
    this.retries = started.retries();
    this.redeliveries = started.redeliveries();
    this.workerId = workerId;
  }

  @Override
  public void run(Handler handler) {
    if (!job.bindRunner(attempt, Thread.currentThread())) {
      return;
    }
    Object output = null;
    Throwable thrown = null;
    try {
      output = handler.handle(this);
    } catch (Throwable e) {
      thrown = e;
    }
    try {
      end(output, thrown);
    } finally {
      job.unbindRunner();
      // An interrupt aimed at this attempt must not leak into the worker's next job. Read
      // first: clearing costs a write only when there is one.
      if (Thread.currentThread().isInterrupted()) {
        Thread.interrupted();
      }
    }
  }

  @Override
  public void complete(Object output) {
    end(output, null);
  }

  @Override
  public void fail(Throwable error) {
    end(null, error);
  }

  @Override
  public void fail(String error, Object output) {
    Objects.requireNonNull(error, "error");
    if (!isCancelled()) {
      job.transition(Transitions.end(attempt, Outcome.reported(output, error, job.endpoint.config)));
    }
  }

  @Override
  public boolean onStop(Runnable stop) {
    return job.bindStopper(attempt, Objects.requireNonNull(stop, "stop"));
  }

  @Override
  public boolean redeliver() {
    return job.redeliver(attempt);
  }

  @Override
  public int redeliveries() {
    return redeliveries;
  }

  private void end(Object output, Throwable thrown) {
    if (!isCancelled()) {
      job.transition(Transitions.end(attempt, Outcome.of(output, thrown, job.endpoint.config)));
    }
  }

  @Override
  public boolean emit(Object chunk) {
    return job.emit(attempt, chunk);
  }

  @Override
  public void progress(Object update) {
    Outcome.checkSize("progress update", update, job.endpoint.config);
    job.transition(Transitions.progress(attempt, update));
  }

  @Override
  public boolean isCancelled() {
    return !Transitions.isRunning(job.state(), attempt);
  }

  /** The chunks this attempt emitted so far (a streaming handler's aggregate output). */
  List<Object> chunks() {
    return job.chunks();
  }

  @Override
  public String id() {
    return job.idText();
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
    return job.s3Config();
  }

  @Override
  public int retries() {
    return retries;
  }

  @Override
  public String workerId() {
    return workerId;
  }

  @Override
  public String toString() {
    return "Attempt[" + job.idText() + " #" + attempt + " on " + workerId + "]";
  }
}
