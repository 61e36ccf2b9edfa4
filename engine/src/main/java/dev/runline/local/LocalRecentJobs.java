package dev.runline.local;

import dev.runline.spi.JobId;
import dev.runline.spi.RecentJobs;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link RecentJobs} window in this process's memory: a ring of the last {@code capacity}
 * ids, each slot holding its position with its id, so a walk that meets a slot already
 * overwritten by a newer id (or not yet written) skips it instead of listing it out of order.
 * Adding is one increment of a counter and one ordered write of a slot; no lock. One ring
 * holds every owner's ids (the listing keeps the caller's): finding a job here costs a map
 * lookup, so walking past other owners' ids is cheap.
 */
public final class LocalRecentJobs implements RecentJobs {
  /** An id and the position it was given; immutable, so a slot is read whole. */
  private record Entry(long position, JobId id) {}

  private final AtomicReferenceArray<Entry> ring;
  private final AtomicLong next = new AtomicLong();

  private LocalRecentJobs(int capacity) {
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  /**
   * A window of the last {@code capacity} ids.
   *
   * @throws IllegalArgumentException when {@code capacity} is not positive
   */
  public static RecentJobs of(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a window of recent jobs needs a capacity of at least 1, was " + capacity);
    }
    return new LocalRecentJobs(capacity);
  }

  @Override
  public void add(JobId id, String owner) {
    long position = next.getAndIncrement();
    // An ordered store is enough: a walk that misses the newest id by a moment is still right.
    ring.lazySet(slot(position), new Entry(position, id));
  }

  @Override
  public void visitBefore(String owner, long before, Visitor visitor) {
    long end = next.get();
    long newest = Math.min(before, end) - 1;
    long oldest = Math.max(0, end - ring.length());
    for (long position = newest; position >= oldest; position--) {
      Entry entry = ring.get(slot(position));
      if (entry != null && entry.position() == position && !visitor.visit(position, entry.id())) {
        return;
      }
    }
  }

  private int slot(long position) {
    return (int) (position % ring.length());
  }
}
