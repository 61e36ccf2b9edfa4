package dev.runline.cpu.compute;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The threads the CPU kernels split their work across: one {@link ForkJoinPool} of daemon
 * threads, one per processor by default, shared by every kernel endpoint of the process
 * (an endpoint's own workers only wait on it), so that endpoints never oversubscribe the
 * cores with a pool each.
 *
 * <p>{@link #run} hands out task indices from a counter (so a slow thread takes fewer
 * tasks) and waits interruptibly: a cancelled job's worker returns at once, and the
 * pool's threads stop at their next task.
 */
public final class ComputePool {
  private static final class Shared {
    static final ComputePool INSTANCE = new ComputePool(Runtime.getRuntime().availableProcessors());
  }

  /** One task of a split computation, told which runner (0 .. runners-1) executes it. */
  @FunctionalInterface
  public interface Task {
    void run(int runner, int task);
  }

  private final ForkJoinPool pool;

  /** A pool of {@code parallelism} daemon threads. */
  public ComputePool(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    AtomicInteger count = new AtomicInteger();
    this.pool = new ForkJoinPool(parallelism, p -> {
      var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      thread.setName("runline-compute-" + count.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    }, null, false);
  }

  /** The pool shared by the {@code cpu} backend's kernel endpoints. */
  public static ComputePool shared() {
    return Shared.INSTANCE;
  }

  /** How many threads work at once. */
  public int parallelism() {
    return pool.getParallelism();
  }

  /** How many runners {@link #run} uses for {@code tasks} tasks. */
  public int runners(int tasks) {
    return Math.max(1, Math.min(tasks, pool.getParallelism()));
  }

  /**
   * Runs {@code task} for every index in {@code 0 .. tasks-1}, spread over
   * {@link #runners}{@code (tasks)} threads, and returns when all are done. A single task
   * runs on the calling thread.
   *
   * @throws InterruptedException when the calling thread is interrupted while waiting; the
   *     tasks not yet begun are skipped
   */
  public void run(int tasks, Task task) throws InterruptedException {
    if (tasks <= 0) {
      return;
    }
    if (tasks == 1) {
      task.run(0, 0);
      return;
    }
    int runners = runners(tasks);
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(runners);
    for (int r = 0; r < runners; r++) {
      int runner = r;
      pool.execute(() -> {
        try {
          int i;
          while (!stop.get() && (i = next.getAndIncrement()) < tasks) {
            task.run(runner, i);
          }
        } catch (Throwable e) {
          stop.set(true);
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      stop.set(true);
      throw e;
    }
    Throwable error = failure.get();
    if (error instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (error instanceof Error fatal) {
      throw fatal;
    }
    if (error != null) {
      throw new IllegalStateException(error);
    }
  }

  @Override
  public String toString() {
    return "ComputePool[" + pool.getParallelism() + " threads]";
  }
}
