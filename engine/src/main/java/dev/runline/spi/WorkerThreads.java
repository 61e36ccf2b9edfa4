package dev.runline.spi;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** How a backend stops its worker threads. */
public final class WorkerThreads {
  private WorkerThreads() {}

  /**
   * Interrupts every worker, then waits for them all within one shared {@code timeout}.
   * A worker still alive after it (a handler that ignores interruption, a launch that does
   * not return) is passed to {@code stuck} and left behind: it is a daemon thread.
   *
   * @return {@code false} when the calling thread was interrupted while waiting
   */
  public static boolean stop(Thread[] workers, Duration timeout, Consumer<Thread> stuck) {
    for (Thread worker : workers) {
      worker.interrupt();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread worker : workers) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        worker.join(Math.max(1, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (worker.isAlive()) {
        stuck.accept(worker);
      }
    }
    return true;
  }
}
