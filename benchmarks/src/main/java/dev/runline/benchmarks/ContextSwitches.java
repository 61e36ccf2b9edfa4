package dev.runline.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This process's context switches over a window, from Linux's {@code /proc}: every thread's
 * {@code voluntary_ctxt_switches} (it blocked: parked, waited, slept, read an empty socket: a
 * wake-up follows each) and {@code nonvoluntary_ctxt_switches} (the scheduler took its core) in
 * {@code /proc/self/task/<tid>/status}.
 *
 * <p>Why per task: on Linux {@code /proc/self/status} reports these two counts for the main
 * thread only (the task whose id is the process id, which in a JVM is the launcher thread that
 * waits for the VM to end), not summed over the process; only {@code getrusage(RUSAGE_SELF)}
 * sums them over all threads, including ended ones, and Java cannot call it. So a window
 * samples every task at its start and end, and a sampler thread re-reads them every
 * {@code poll} in between, keeping each task's latest counts, so that a thread that ends during
 * the window still counts up to its last sample (what it did after that, at most one poll
 * period, is missed; the threads of the engine, the pool and the producers live through the
 * whole window, so only short-lived JVM threads such as an extra compiler thread could be
 * missed). A thread that starts during the window counts from zero. The sampler's own switches
 * are left out.
 */
final class ContextSwitches {
  /** The sampler thread's name, left out of every count. */
  static final String SAMPLER = "ctxsw-sampler";

  private static final Path TASKS = Path.of("/proc/self/task");

  private ContextSwitches() {}

  /** One task's (thread's) name and counts at one moment. */
  record Task(String name, long voluntary, long involuntary) {}

  /** The counts of a window. */
  record Counts(long voluntary, long involuntary, Map<String, Long> voluntaryByThread, int threadsSeen) {}

  /** Whether this system has {@code /proc/self/task/<tid>/status} with the counts. */
  static boolean available() {
    return !sample().isEmpty();
  }

  /** Every task of this process now, by task id; empty where {@code /proc} has no such files. */
  static Map<Integer, Task> sample() {
    Map<Integer, Task> tasks = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(TASKS)) {
      for (Path dir : dirs) {
        Task task = read(dir.resolve("status"));
        if (task != null) {
          tasks.put(Integer.parseInt(dir.getFileName().toString()), task);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return tasks;
  }

  private static Task read(Path status) {
    List<String> lines;
    try {
      lines = Files.readAllLines(status);
    } catch (NoSuchFileException e) {
      return null; // the thread ended between listing and reading
    } catch (IOException e) {
      return null;
    }
    String name = "?";
    long voluntary = -1;
    long involuntary = -1;
    for (String line : lines) {
      if (line.startsWith("Name:")) {
        name = line.substring(5).trim();
      } else if (line.startsWith("voluntary_ctxt_switches:")) {
        voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
        involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return voluntary < 0 ? null : new Task(name, voluntary, Math.max(0, involuntary));
  }

  /**
   * A thread's name ({@code /proc}'s, at most 15 characters) with a number that ends it or
   * follows {@code -}, {@code _}, {@code #} or a space as {@code *}, so a pool's threads add up:
   * {@code runline-timer-*}, {@code GC Thread#*}; {@code C2 CompilerThre} stays.
   */
  static String group(String name) {
    return name.replaceAll("(?<=[-_# ])[0-9]+|[0-9]+$", "*");
  }

  /** Starts a window now; {@code poll} is how often the sampler re-reads the tasks (null: never). */
  static Window start(Duration poll) {
    return new Window(poll);
  }

  /** A window from {@link #start} to {@link #stop}. */
  static final class Window {
    private final Map<Integer, Task> before;
    private final Map<Integer, Task> latest = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean stopped;

    private Window(Duration poll) {
      if (poll != null) {
        sampler = new Thread(() -> {
          while (!stopped) {
            latest.putAll(sample());
            try {
              Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
              return;
            }
          }
        }, SAMPLER);
        sampler.setDaemon(true);
        sampler.start();
      } else {
        sampler = null;
      }
      before = sample();
    }

    /** Ends the window and counts it. */
    Counts stop() {
      Map<Integer, Task> after = sample();
      stopped = true;
      if (sampler != null) {
        sampler.interrupt();
        try {
          sampler.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      latest.putAll(after);
      long voluntary = 0;
      long involuntary = 0;
      Map<String, Long> byThread = new HashMap<>();
      for (Map.Entry<Integer, Task> entry : latest.entrySet()) {
        Task now = entry.getValue();
        if (now.name().equals(SAMPLER)) {
          continue;
        }
        Task then = before.get(entry.getKey());
        long v = now.voluntary() - (then == null ? 0 : then.voluntary());
        long i = now.involuntary() - (then == null ? 0 : then.involuntary());
        voluntary += v;
        involuntary += i;
        byThread.merge(group(now.name()), v, Long::sum);
      }
      return new Counts(voluntary, involuntary, sortedDescending(byThread), latest.size());
    }
  }

  /** {@code counts} from the largest down, zeros left out. */
  static Map<String, Long> sortedDescending(Map<String, Long> counts) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    Map<String, Long> sorted = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : entries) {
      if (e.getValue() > 0) {
        sorted.put(e.getKey(), e.getValue());
      }
    }
    return sorted;
  }
}
