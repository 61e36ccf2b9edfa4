package dev.runline.local;

import dev.runline.spi.StoredJob;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The jobs that may be live (queued or running), for the sweep that ends those whose ttl
 * passed and for purge and shutdown: a lock-free stack that admission pushes onto, and that
 * a sweep takes whole and rebuilds with the jobs still live. A job that ended stays only
 * until the next sweep, so the list holds about the live jobs, which each endpoint bounds
 * (its queue capacity and its workers).
 */
final class LiveJobs {
  /** Immutable once pushed, so a reader may follow the links while a sweep rebuilds. */
  private static final class Node {
    final StoredJob job;
    Node next;

    Node(StoredJob job) {
      this.job = job;
    }
  }

  private final AtomicReference<Node> head = new AtomicReference<>();

  void add(StoredJob job) {
    Node node = new Node(job);
    Node first;
    do {
      first = head.get();
      node.next = first;
    } while (!head.compareAndSet(first, node));
  }

  /**
   * Takes every job out, and puts back those for which {@code keep} is true. Sweeps and
   * visits exclude each other, so a visit never finds the list empty in the middle of a sweep.
   */
  synchronized void sweep(Predicate<StoredJob> keep) {
    Node kept = null;
    Node last = null;
    for (Node node = head.getAndSet(null); node != null; node = node.next) {
      if (keep.test(node.job)) {
        Node copy = new Node(node.job);
        if (kept == null) {
          last = copy;
        } else {
          copy.next = kept;
        }
        kept = copy;
      }
    }
    if (kept == null) {
      return;
    }
    Node first;
    do {
      first = head.get();
      last.next = first;
    } while (!head.compareAndSet(first, kept));
  }

  /** Visits every job in the list (some may have ended). */
  synchronized void forEach(Consumer<StoredJob> action) {
    for (Node node = head.get(); node != null; node = node.next) {
      action.accept(node.job);
    }
  }
}
