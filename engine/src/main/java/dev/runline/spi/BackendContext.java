package dev.runline.spi;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.TimeSource;
import dev.runline.Timers;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/** What a backend is given for one endpoint. */
public interface BackendContext {
  /** The endpoint's definition: what it runs, its workers and settings. */
  Endpoint endpoint();

  /**
   * The endpoint's handler as one {@link Handler} to pass to {@link Attempt#run}: its plain
   * handler, or its streaming handler (whose chunks go to the attempt and whose output is
   * their aggregate or an empty list, as the endpoint is configured).
   *
   * @throws UnsupportedOperationException when the endpoint runs a kernel, which the
   *     backend computes itself
   */
  Handler handler();

  /** Makes named daemon threads for this endpoint's {@code role} (e.g. its workers). */
  ThreadFactory threadFactory(String role);

  /** The engine's clock: a backend measures its own waits and leases on it, so tests control them. */
  TimeSource time();

  /** The engine's timers, on {@link #time()}. */
  Timers timers();

  /**
   * The current state of this endpoint's job {@code id}, whoever submitted it; empty when the
   * endpoint keeps no such job (never was, or its retention or ttl passed). How a backend whose
   * workers report from elsewhere tells what a report is about.
   */
  Optional<JobState> jobState(String id);

  /**
   * The running attempt of this endpoint's job {@code id} when {@code workerId} runs it, found
   * from the job itself rather than from what this backend holds: a worker's report reaches the
   * attempt it belongs to wherever the worker took the job. Empty when the job is not running
   * on that worker (ended, queued again, held by another worker, or unknown).
   */
  Optional<Attempt> runningAttempt(String id, String workerId);
}
