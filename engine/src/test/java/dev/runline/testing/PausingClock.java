package dev.runline.testing;

import dev.runline.TimeSource;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TimeSource} over another one that can hold one chosen thread at its next read, until
 * {@link #resume()}. A test uses it to stop a caller at a known point inside an engine call
 * (the engine reads the clock there) and to interleave another call deterministically, where
 * otherwise only an unlucky thread switch would.
 */
public final class PausingClock implements TimeSource {
  private final TimeSource delegate;
  private final CountDownLatch paused = new CountDownLatch(1);
  private final CountDownLatch resumed = new CountDownLatch(1);
  private volatile Thread target;

  public PausingClock(TimeSource delegate) {
    this.delegate = delegate;
  }

  /** The calling thread will wait at its next read, until {@link #resume()}. */
  public void pauseMyNextRead() {
    target = Thread.currentThread();
  }

  /** Waits until the chosen thread is held at its read; {@code false} if it did not get there. */
  public boolean awaitPaused(Duration atMost) throws InterruptedException {
    return paused.await(atMost.toNanos(), TimeUnit.NANOSECONDS);
  }

  public void resume() {
    resumed.countDown();
  }

  @Override
  public long nanoTime() {
    if (target == Thread.currentThread()) {
      target = null;
      paused.countDown();
      try {
        if (!resumed.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the paused thread was never resumed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return delegate.nanoTime();
  }
}
