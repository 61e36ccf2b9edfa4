package dev.runline;

import dev.runline.spi.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The hand-offs held on one thread while a batch is open ({@link HandOffs}): each held job
 * with the hand-off that would have taken it, kept in order, released at {@link #close()}.
 */
final class HeldHandOffs implements HandOffs {
  private static final ThreadLocal<HeldHandOffs> OPEN = new ThreadLocal<>();

  private final Thread owner = Thread.currentThread();
  private final List<QueuedJob> jobs = new ArrayList<>();
  private final List<Consumer<List<QueuedJob>>> sinks = new ArrayList<>();
  private boolean closed;

  /** Opens a batch on this thread; a batch already open stays the one jobs join. */
  static HandOffs open() {
    HeldHandOffs open = OPEN.get();
    if (open != null) {
      return () -> { };
    }
    HeldHandOffs batch = new HeldHandOffs();
    OPEN.set(batch);
    return batch;
  }

  /**
   * Holds {@code job} for {@code sink} when a batch is open on this thread.
   *
   * @return whether it was held ({@code false}: hand it over now)
   */
  static boolean hold(QueuedJob job, Consumer<List<QueuedJob>> sink) {
    HeldHandOffs open = OPEN.get();
    if (open == null) {
      return false;
    }
    open.jobs.add(job);
    open.sinks.add(sink);
    return true;
  }

  @Override
  public void close() {
    if (closed || Thread.currentThread() != owner) {
      return;
    }
    closed = true;
    OPEN.remove();
    // Consecutive jobs for one backend go over in one hand-off.
    int n = jobs.size();
    int start = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || sinks.get(i) != sinks.get(start)) {
        sinks.get(start).accept(jobs.subList(start, i));
        start = i;
      }
    }
  }
}
