package dev.runline.local;

import dev.runline.spi.StoredJob;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The finished jobs whose retention ends within one second: the unit the store's Caffeine
 * cache expires, so that the cache holds one entry per second rather than one per job.
 *
 * <p>Jobs are added without a lock (a claimed index, then a write) into one of a few lanes,
 * chosen by the adding thread's id: the workers of a pool, made one after another, have
 * consecutive ids and so add into different lanes, each with its own counter on its own
 * cache line, instead of all contending for one. A lane keeps its jobs in pages: a small
 * first one, so that a lane a thread touches once costs little, then pages of
 * {@value #PAGE} that fill while they are young, so adding a job seldom writes a reference
 * into an old object, which the collector would have to scan at every young collection.
 */
final class ExpiryBlock {
  private static final int LANES = 8;
  /** Ints between two lanes' counters: 64 bytes, a cache line. */
  private static final int STRIDE = 16;
  private static final int FIRST_PAGE = 64;
  private static final int PAGE_BITS = 10;
  private static final int PAGE = 1 << PAGE_BITS;
  private static final int MAX_PAGES = 1 << 18;

  private static final AtomicReferenceArray<StoredJob>[] NO_PAGES = newPages(0);

  private final long second;
  private final AtomicIntegerArray next = new AtomicIntegerArray(LANES * STRIDE);
  private final Lane[] lanes = new Lane[LANES];
  private volatile boolean swept;

  ExpiryBlock(long second) {
    this.second = second;
    for (int i = 0; i < LANES; i++) {
      lanes[i] = new Lane();
    }
  }

  long second() {
    return second;
  }

  /** Adds a job; {@code false} once the block has expired and been swept (then it is not added). */
  boolean add(StoredJob job) {
    if (swept) {
      return false;
    }
    int lane = (int) Thread.currentThread().getId() & (LANES - 1);
    int index = next.getAndIncrement(lane * STRIDE);
    int page = pageOf(index);
    if (page >= MAX_PAGES) {
      return false;
    }
    lanes[lane].page(page).set(offsetOf(index), job);
    // A sweep that began meanwhile may not see this job: the caller then decides for it.
    return !swept;
  }

  private static int pageOf(int index) {
    return index < FIRST_PAGE ? 0 : 1 + ((index - FIRST_PAGE) >>> PAGE_BITS);
  }

  private static int offsetOf(int index) {
    return index < FIRST_PAGE ? index : (index - FIRST_PAGE) & (PAGE - 1);
  }

  /**
   * Visits every job added, once; afterwards the block takes no more. A job whose add was
   * under way is visited if its write landed, and its adder is told otherwise ({@link #add}).
   */
  void forEach(Consumer<StoredJob> action) {
    swept = true;
    for (int lane = 0; lane < LANES; lane++) {
      int n = next.get(lane * STRIDE);
      AtomicReferenceArray<StoredJob>[] pages = lanes[lane].pages;
      for (int i = 0; i < n; i++) {
        int page = pageOf(i);
        if (page >= pages.length || pages[page] == null) {
          // Claimed by an add whose page is not there yet: that add reports itself not added.
          continue;
        }
        StoredJob job = pages[page].get(offsetOf(i));
        if (job != null) {
          action.accept(job);
        }
      }
      lanes[lane].pages = NO_PAGES;
    }
  }

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<StoredJob>[] newPages(int n) {
    return new AtomicReferenceArray[n];
  }

  /** One lane's pages: page 0 of {@value #FIRST_PAGE} jobs, the others of {@value #PAGE}. */
  private static final class Lane {
    volatile AtomicReferenceArray<StoredJob>[] pages = NO_PAGES;

    AtomicReferenceArray<StoredJob> page(int page) {
      AtomicReferenceArray<StoredJob>[] now = pages;
      if (page < now.length && now[page] != null) {
        return now[page];
      }
      synchronized (this) {
        now = pages;
        if (page >= now.length) {
          now = Arrays.copyOf(now, Math.max(page + 1, Math.max(4, now.length * 2)));
        }
        if (now[page] == null) {
          now[page] = new AtomicReferenceArray<>(page == 0 ? FIRST_PAGE : PAGE);
        }
        pages = now;
        return now[page];
      }
    }
  }
}
