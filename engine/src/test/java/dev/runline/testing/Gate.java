package dev.runline.testing;

import dev.runline.Handler;
import dev.runline.JobContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler that holds every job until the test opens the gate, and records what happened:
 * which jobs started, how often, and which were interrupted. Jobs whose input is a map with
 * {@code "pass": true} go straight through.
 */
public final class Gate implements Handler {
  private final CountDownLatch open = new CountDownLatch(1);
  public final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
  public final Map<String, Boolean> interrupted = new ConcurrentHashMap<>();

  @Override
  public Object handle(JobContext job) throws Exception {
    starts.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
    if (job.input() instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("pass"))) {
      return job.input();
    }
    try {
      if (!open.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the gate was never opened");
      }
    } catch (InterruptedException e) {
      interrupted.put(job.id(), true);
      throw e;
    }
    return job.input();
  }

  public void open() {
    open.countDown();
  }

  public int startsOf(String id) {
    AtomicInteger n = starts.get(id);
    return n == null ? 0 : n.get();
  }

  public boolean started(String id) {
    return startsOf(id) > 0;
  }
}
