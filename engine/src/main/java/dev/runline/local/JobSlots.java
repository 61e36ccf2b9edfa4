package dev.runline.local;

import dev.runline.spi.StoredJob;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where a {@link LocalJobStore} keeps its jobs: an array of slots, in chunks that are added as
 * the store grows. A slot is claimed for a job before its id is made (the id carries it), and
 * released when the job is dropped.
 *
 * <p>Claiming costs no contention: each thread claims from a batch of its own, refilled from
 * the batches of released slots or, when there are none, from never-used ones. Releases are
 * gathered the same way, per thread, and handed back a batch at a time. A thread that stops
 * with a part-filled batch keeps those few slots from being reused; they are never lost from
 * under a job.
 */
final class JobSlots {
  private static final int CHUNK_BITS = 10;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int BATCH = 256;

  private volatile AtomicReferenceArray<StoredJob>[] chunks = newChunks(0);
  private final AtomicInteger used = new AtomicInteger();
  private final ConcurrentLinkedQueue<int[]> released = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<Batch> claims = ThreadLocal.withInitial(Batch::new);
  private final ThreadLocal<Batch> releases = ThreadLocal.withInitial(Batch::new);

  /** A thread's slots to claim, or its slots released and not yet handed back. */
  private static final class Batch {
    int[] slots = new int[BATCH];
    int size;
  }

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<StoredJob>[] newChunks(int n) {
    return new AtomicReferenceArray[n];
  }

  /** A slot for a new job; free until {@link #set}. */
  int claim() {
    Batch batch = claims.get();
    if (batch.size == 0) {
      refill(batch);
    }
    return batch.slots[--batch.size];
  }

  private void refill(Batch batch) {
    int[] free = released.poll();
    if (free != null) {
      batch.slots = free;
      batch.size = free.length;
      return;
    }
    int first = used.getAndAdd(BATCH);
    if (first < 0 || first + BATCH < 0) {
      throw new IllegalStateException("the job store holds 2^31 jobs, all it can");
    }
    grow(first + BATCH);
    batch.slots = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      batch.slots[i] = first + BATCH - 1 - i;
    }
    batch.size = BATCH;
  }

  private void grow(int slots) {
    int needed = (slots + CHUNK - 1) >>> CHUNK_BITS;
    if (chunks.length >= needed) {
      return;
    }
    synchronized (this) {
      AtomicReferenceArray<StoredJob>[] now = chunks;
      if (now.length < needed) {
        AtomicReferenceArray<StoredJob>[] more = Arrays.copyOf(now, Math.max(needed, now.length * 2));
        for (int i = now.length; i < more.length; i++) {
          more[i] = new AtomicReferenceArray<>(CHUNK);
        }
        chunks = more;
      }
    }
  }

  /** The job in {@code slot}, or {@code null} (also for a slot that does not exist). */
  StoredJob get(int slot) {
    AtomicReferenceArray<StoredJob>[] now = chunks;
    int chunk = slot >>> CHUNK_BITS;
    return slot < 0 || chunk >= now.length ? null : now[chunk].get(slot & (CHUNK - 1));
  }

  void set(int slot, StoredJob job) {
    chunks[slot >>> CHUNK_BITS].set(slot & (CHUNK - 1), job);
  }

  /** Empties {@code slot} if it still holds {@code job}; whether it did. */
  boolean remove(int slot, StoredJob job) {
    return chunks[slot >>> CHUNK_BITS].compareAndSet(slot & (CHUNK - 1), job, null);
  }

  /** Gives back an emptied slot for reuse. */
  void release(int slot) {
    Batch batch = releases.get();
    batch.slots[batch.size++] = slot;
    if (batch.size == BATCH) {
      released.offer(batch.slots);
      batch.slots = new int[BATCH];
      batch.size = 0;
    }
  }
}
