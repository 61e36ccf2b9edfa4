package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.spi.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Thread wake-ups per job in the batched path: runs no-op jobs to COMPLETED in batches of
 * {@value EngineBatches#BATCH}, exactly as {@link SubmitToCompleteBenchmark}'s engine side does
 * ({@link EngineBatches}, one producer, two workers, the default intake), and
 * counts the process's voluntary context switches over them, summed over every thread
 * ({@link ContextSwitches}: {@code /proc/self/task/<tid>/status}), divided by the jobs. Every
 * thread counts: the producer (this main thread), the engine's threads, and the JVM's own (the
 * garbage collector, the compilers), since all of them are woken by the work. The same for
 * both baselines beside it ({@link BaselineBatches}: the pool with a map, and with a Caffeine
 * cache). Each side gets a fresh engine or pool and a warm-up of its own first.
 *
 * <p>Usage: {@code java -Xms4g -Xmx4g -cp benchmarks.jar dev.runline.benchmarks.WakeUps [JOBS
 * [OUT.json]]} (default 300,000 jobs per side, after 50,000 warm-up jobs); run.sh writes
 * {@code results/wakeups.json}. Linux only (it needs {@code /proc}).
 */
public final class WakeUps {
  static final int DEFAULT_JOBS = 300_000;
  static final int WARMUP_JOBS = 50_000;
  static final int PRODUCERS = 1;
  static final int WORKERS = 2;
  /** How often the sampler re-reads the tasks, to keep the counts of threads that end mid-window. */
  static final Duration POLL = Duration.ofMillis(200);

  private WakeUps() {}

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : DEFAULT_JOBS;
    Path out = args.length > 1 ? Path.of(args[1]) : null;
    if (!ContextSwitches.available()) {
      System.err.println("WakeUps: /proc/self/task/*/status has no context-switch counts here (Linux only)");
      System.exit(1);
    }
    int batches = Math.max(1, jobs / EngineBatches.BATCH);
    jobs = batches * EngineBatches.BATCH;

    ObjectNode json = Json.mapper().createObjectNode();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", Machine.describe());
    json.put("jobs", jobs);
    json.put("warmupJobs", WARMUP_JOBS);
    json.put("batch", EngineBatches.BATCH);
    json.put("producers", PRODUCERS);
    json.put("workers", WORKERS);
    json.put("intake", "direct");
    json.put("source", "voluntary_ctxt_switches of /proc/self/task/*/status, summed over every thread, sampled at "
        + "the start and the end and every " + POLL.toMillis() + " ms between, so a thread that ends keeps its last "
        + "sample");

    json.set(Report.ENGINE, measure(Report.ENGINE, batches,
        () -> new EngineBatches(WORKERS, "direct", UnaryOperator.identity())));
    json.set(Report.BASELINE, measure(Report.BASELINE, batches,
        () -> new BaselineBatches(WORKERS, ThreadPoolJobs.Records.MAP)));
    json.set(Report.CAFFEINE_BASELINE, measure(Report.CAFFEINE_BASELINE, batches,
        () -> new BaselineBatches(WORKERS, ThreadPoolJobs.Records.CAFFEINE)));
    if (out != null) {
      Files.writeString(out, json.toPrettyString() + "\n");
      System.out.println("Written: " + out);
    }
  }

  private static ObjectNode measure(String name, int batches, Supplier<Batches> factory) throws InterruptedException {
    // The previous side's garbage is collected here, not in this side's window.
    System.gc();
    Thread.sleep(200);
    try (Producers producers = new Producers(PRODUCERS)) {
      Batches side = factory.get();
      try {
        for (int i = 0; i < WARMUP_JOBS / EngineBatches.BATCH; i++) {
          side.runBatch(producers);
        }
        ContextSwitches.Window window = ContextSwitches.start(POLL);
        long start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
          side.runBatch(producers);
        }
        long nanos = System.nanoTime() - start;
        ContextSwitches.Counts counts = window.stop();
        long jobs = (long) batches * EngineBatches.BATCH;
        double perJob = (double) counts.voluntary() / jobs;
        System.out.printf(Locale.ROOT, "%-28s %,d jobs in %.2f s (%,.0f jobs/s): %,d voluntary context switches, "
                + "%.3f per job (%,d involuntary); by thread: %s%n",
            name, jobs, nanos / 1e9, jobs / (nanos / 1e9), counts.voluntary(), perJob, counts.involuntary(),
            top(counts.voluntaryByThread(), 6));
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("jobs", jobs);
        json.put("seconds", nanos / 1e9);
        json.put("jobsPerSecond", jobs / (nanos / 1e9));
        json.put("voluntarySwitches", counts.voluntary());
        json.put("involuntarySwitches", counts.involuntary());
        json.put("perJob", perJob);
        json.put("threadsSeen", counts.threadsSeen());
        ObjectNode byThread = json.putObject("byThread");
        counts.voluntaryByThread().forEach(byThread::put);
        return json;
      } finally {
        side.checkAndClose();
      }
    }
  }

  private static String top(Map<String, Long> byThread, int n) {
    StringBuilder s = new StringBuilder();
    int i = 0;
    for (Map.Entry<String, Long> e : byThread.entrySet()) {
      if (i++ == n) {
        s.append(", ...");
        break;
      }
      s.append(i > 1 ? ", " : "").append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%,d", e.getValue()));
    }
    return s.toString();
  }
}
