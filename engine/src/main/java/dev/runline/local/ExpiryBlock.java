package dev.runline.local;

import dev.runline.spi.StoredJob;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The finished jobs whose retention ends within one second: the unit the store's Caffeine
 * cache expires, so that the cache holds one entry per second rather than one per job.
 */
final class ExpiryBlock {
  private final long second;
  private StoredJob[] jobs = new StoredJob[64];
  private int size;
  private boolean swept;

  ExpiryBlock(long second) {
    this.second = second;
  }

  long second() {
    return second;
  }

  /** Adds a job; {@code false} once the block has expired and been swept. */
  synchronized boolean add(StoredJob job) {
    if (swept) {
      return false;
    }
    if (size == jobs.length) {
      jobs = Arrays.copyOf(jobs, size * 2);
    }
    jobs[size++] = job;
    return true;
  }

  /** Visits every job once, after which the block takes no more. */
  void forEach(Consumer<StoredJob> action) {
    StoredJob[] all;
    int n;
    synchronized (this) {
      swept = true;
      all = jobs;
      n = size;
      jobs = null;
    }
    for (int i = 0; i < n; i++) {
      action.accept(all[i]);
    }
  }
}
