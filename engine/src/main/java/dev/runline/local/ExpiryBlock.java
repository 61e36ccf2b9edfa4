package dev.runline.local;

import dev.runline.spi.StoredJob;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The finished jobs whose retention ends within one second: the unit the store's Caffeine
 * cache expires, so that the cache holds one entry per second rather than one per job.
 *
 * <p>Jobs are added without a lock (a claimed index, then a write) into small pages: a page
 * fills while it is young, so adding a job seldom writes a reference into an old object,
 * which the collector would have to scan at every young collection.
 */
final class ExpiryBlock {
  private static final int PAGE_BITS = 10;
  private static final int PAGE = 1 << PAGE_BITS;
  private static final int MAX_PAGES = 1 << 21;

  private final long second;
  private final AtomicInteger next = new AtomicInteger();
  private volatile AtomicReferenceArray<StoredJob>[] pages = newPages(4);
  private volatile boolean swept;

  ExpiryBlock(long second) {
    this.second = second;
  }

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<StoredJob>[] newPages(int n) {
    return new AtomicReferenceArray[n];
  }

  long second() {
    return second;
  }

  /** Adds a job; {@code false} once the block has expired and been swept (then it is not added). */
  boolean add(StoredJob job) {
    if (swept) {
      return false;
    }
    int index = next.getAndIncrement();
    int page = index >>> PAGE_BITS;
    if (page >= MAX_PAGES) {
      return false;
    }
    page(page).set(index & (PAGE - 1), job);
    // A sweep that began meanwhile may not see this job: the caller then decides for it.
    return !swept;
  }

  private AtomicReferenceArray<StoredJob> page(int page) {
    AtomicReferenceArray<StoredJob>[] now = pages;
    if (page < now.length && now[page] != null) {
      return now[page];
    }
    synchronized (this) {
      now = pages;
      if (page >= now.length) {
        now = java.util.Arrays.copyOf(now, Math.max(page + 1, now.length * 2));
      }
      if (now[page] == null) {
        now[page] = new AtomicReferenceArray<>(PAGE);
      }
      pages = now;
      return now[page];
    }
  }

  /**
   * Visits every job added, once; afterwards the block takes no more. A job whose add was
   * under way is visited if its write landed, and its adder is told otherwise ({@link #add}).
   */
  void forEach(Consumer<StoredJob> action) {
    swept = true;
    int n = Math.min(next.get(), MAX_PAGES * PAGE);
    AtomicReferenceArray<StoredJob>[] all = pages;
    for (int i = 0; i < n; i++) {
      int page = i >>> PAGE_BITS;
      StoredJob job = page < all.length && all[page] != null ? all[page].get(i & (PAGE - 1)) : null;
      if (job != null) {
        action.accept(job);
      }
    }
    pages = newPages(0);
  }
}
