package dev.runline.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused requests by class (status code): one line the first time a class is seen in a
 * minute, with how many were refused since the last line, so a flood of 429s costs a line a
 * minute. Messages come from the engine, which never puts an API key in one.
 */
final class RefusalLog {
  private static final Logger LOG = LoggerFactory.getLogger("dev.runline.server.refused");
  private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ConcurrentHashMap<Integer, Window> windows = new ConcurrentHashMap<>();

  void note(int status, String message) {
    Window window = windows.computeIfAbsent(status, s -> new Window());
    window.count.incrementAndGet();
    long now = System.nanoTime();
    long last = window.loggedAt.get();
    if (now - last >= INTERVAL_NANOS && window.loggedAt.compareAndSet(last, now)) {
      long refused = window.count.getAndSet(0);
      LOG.info("refused {} request(s) with HTTP {} since the last such line; latest: {}", refused, status, message);
    }
  }

  private static final class Window {
    final AtomicLong count = new AtomicLong();
    final AtomicLong loggedAt = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
  }
}
