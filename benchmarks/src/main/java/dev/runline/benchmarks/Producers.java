package dev.runline.benchmarks;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The producer threads that submit one batch, shared verbatim by the engine and the baseline
 * side of {@link SubmitToCompleteBenchmark}, so both get the same treatment: with {@code n}
 * producers the batch is cut into {@code n} contiguous slices; the benchmark thread submits
 * the first itself and each of {@code n - 1} helper threads (started once, parked between
 * batches) submits its own slice at the same time. With one producer no helper exists and
 * nothing is handed off.
 */
final class Producers implements AutoCloseable {
  private final int count;
  private final Helper[] helpers;

  Producers(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("producers must be at least 1, was " + count);
    }
    this.count = count;
    this.helpers = new Helper[count - 1];
    for (int i = 0; i < helpers.length; i++) {
      helpers[i] = new Helper("producer-" + (i + 2));
      helpers[i].start();
    }
  }

  int count() {
    return count;
  }

  /**
   * Calls {@code submit} once for every index in {@code [0, n)}, each slice on its own
   * producer thread; returns once every call has returned, rethrowing the first failure.
   */
  void submitAll(int n, IntConsumer submit) throws InterruptedException {
    if (helpers.length == 0) {
      for (int i = 0; i < n; i++) {
        submit.accept(i);
      }
      return;
    }
    CountDownLatch done = new CountDownLatch(helpers.length);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int p = 1; p < count; p++) {
      int from = (int) ((long) n * p / count);
      int to = (int) ((long) n * (p + 1) / count);
      helpers[p - 1].work.add(() -> {
        try {
          for (int i = from; i < to; i++) {
            submit.accept(i);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
    }
    try {
      int end = n / count;
      for (int i = 0; i < end; i++) {
        submit.accept(i);
      }
    } finally {
      done.await();
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    if (e != null) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Helper helper : helpers) {
      helper.interrupt();
    }
  }

  /** A producer thread: runs the slices handed to it, one after another, until interrupted. */
  private static final class Helper extends Thread {
    final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();

    Helper(String name) {
      super(name);
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (true) {
          work.take().run();
        }
      } catch (InterruptedException e) {
        // closed
      }
    }
  }
}
