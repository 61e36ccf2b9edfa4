package dev.runline;

import dev.runline.spi.Attempt;
import dev.runline.spi.JobState;

/**
 * One attempt of a job, as a backend holds it and a handler sees it: every change it makes
 * names its attempt, so once the attempt has ended, nothing done through it (a late
 * complete, a chunk, a progress value) reaches a later attempt of the same job.
 */
final class RunningAttempt implements Attempt {
  private final Job job;
  /** The state its start made: names this run (attempt, worker, start) in every change. */
  private final JobState run;

  RunningAttempt(Job job, JobState run) {
    this.job = job;
    this.run = run;
  }

  @Override
  public void run(Handler handler) {
    if (!job.bindRunner(run, Thread.currentThread())) {
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

  private void end(Object output, Throwable thrown) {
    if (!isCancelled()) {
      Transition end = Transitions.end(run, Outcome.of(output, thrown, job.endpoint.config));
      try {
        job.transition(end);
      } catch (StoreUnavailableException e) {
        // The shared store is out of reach: the result is kept here and written once it is back.
        job.endpoint.shared().writeLater(job, end);
      }
    }
  }

  @Override
  public boolean emit(Object chunk) {
    return job.emit(run, chunk);
  }

  @Override
  public void progress(Object update) {
    Outcome.checkSize("progress update", update, job.endpoint.config);
    try {
      job.transition(Transitions.progress(run, update));
    } catch (StoreUnavailableException e) {
      // A progress value is news, not a result: with the shared store out of reach, it is dropped.
    }
  }

  @Override
  public boolean isCancelled() {
    return !job.state().isRunOf(run);
  }

  /** The chunks this attempt emitted so far (a streaming handler's aggregate output). */
  java.util.List<Object> chunks() {
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
    return run.attempt() - 1;
  }

  @Override
  public String workerId() {
    return run.workerId();
  }

  @Override
  public String toString() {
    return "Attempt[" + job.idText() + " #" + run.attempt() + " on " + run.workerId() + "]";
  }
}
