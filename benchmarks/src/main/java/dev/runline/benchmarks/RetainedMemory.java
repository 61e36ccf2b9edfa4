package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.Runline;
import dev.runline.spi.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jol.info.ClassLayout;

/**
 * Heap held per retained COMPLETED job: runs a million no-op jobs to COMPLETED on one engine
 * (they stay in its store for the 30-minute retention of {@code run}), forces full garbage
 * collections until the heap in use is stable, and divides the growth by the number of jobs.
 *
 * <p>Each job's output is a fresh one-entry map {@code {"ok": true}} whose key and value are
 * shared constants, so the output's own bytes per job are that map object alone (JOL's
 * instance size of it, 24 bytes with compressed references); the input is one shared map.
 * Overhead per job = heap growth per job − the output's own bytes: the job record, its id,
 * its state snapshot, the store's entry and its share of the store's tables.
 *
 * <p>For comparison the same is measured for the thread-pool baselines
 * ({@link ThreadPoolJobs}: a record in a {@code ConcurrentHashMap}, and in a Caffeine cache that
 * expires it 30 minutes after writing).
 *
 * <p>Usage: {@code java -Xms4g -Xmx4g -cp benchmarks.jar dev.runline.benchmarks.RetainedMemory
 * [JOBS [OUT.json]]} (default one million jobs); run.sh writes {@code results/memory.json}.
 */
public final class RetainedMemory {
  static final int DEFAULT_JOBS = 1_000_000;
  private static final int BATCH = 10_000;
  private static final int WARMUP_JOBS = 20_000;
  private static final Duration STALL = Duration.ofSeconds(60);
  private static final String KEY = "ok";

  private static volatile CountDownLatch batch;

  private RetainedMemory() {}

  /** The output of every job here: a new map per job, holding shared constants only. */
  static Object output() {
    return Map.of(KEY, Boolean.TRUE);
  }

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : DEFAULT_JOBS;
    Path out = args.length > 1 ? Path.of(args[1]) : null;

    long outputBytes = outputBytes();
    System.out.printf(Locale.ROOT, "Output per job: %s, %d bytes of its own%n", output(), outputBytes);

    Measured engine = measureEngine(jobs);
    print("engine", engine, jobs, outputBytes);
    Measured baseline = measureBaseline(jobs, ThreadPoolJobs.Records.MAP);
    print("baseline (ThreadPoolJobs, ConcurrentHashMap)", baseline, jobs, outputBytes);
    Measured caffeine = measureBaseline(jobs, ThreadPoolJobs.Records.CAFFEINE);
    print("baseline (ThreadPoolJobs, Caffeine 30 min)", caffeine, jobs, outputBytes);

    ObjectNode json = Json.mapper().createObjectNode();
    json.put("jobs", jobs);
    json.put("outputBytes", outputBytes);
    json.put("output", String.valueOf(output()));
    json.put("heapBeforeBytes", engine.before);
    json.put("heapAfterBytes", engine.after);
    json.put("retainedBytesPerJob", engine.perJob(jobs));
    json.put("overheadBytesPerJob", engine.perJob(jobs) - outputBytes);
    json.put("baselineRetainedBytesPerJob", baseline.perJob(jobs));
    json.put("baselineOverheadBytesPerJob", baseline.perJob(jobs) - outputBytes);
    json.put("caffeineBaselineRetainedBytesPerJob", caffeine.perJob(jobs));
    json.put("caffeineBaselineOverheadBytesPerJob", caffeine.perJob(jobs) - outputBytes);
    json.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    json.put("gc", String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(java.lang.management.GarbageCollectorMXBean::getName).toList()));
    json.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    if (out != null) {
      Files.writeString(out, json.toPrettyString() + "\n");
      System.out.println("Written: " + out);
    }
  }

  /** The bytes of one output object that are its own: the map, not the shared key and value. */
  static long outputBytes() {
    Object sample = output();
    try {
      return ClassLayout.parseInstance(sample).instanceSize();
    } catch (RuntimeException | LinkageError e) {
      // Without JOL's view of the VM: a one-entry immutable map is a header and two references.
      System.err.println("JOL could not size the output (" + e + "); assuming 24 bytes");
      return 24;
    }
  }

  private record Measured(long before, long after) {
    double perJob(int jobs) {
      return (double) (after - before) / jobs;
    }
  }

  private static void print(String side, Measured m, int jobs, long outputBytes) {
    System.out.printf(Locale.ROOT,
        "%s: heap in use %,d -> %,d bytes over %,d retained jobs: %.1f bytes per job, %.1f bytes of overhead%n",
        side, m.before, m.after, jobs, m.perJob(jobs), m.perJob(jobs) - outputBytes);
  }

  private static Measured measureEngine(int jobs) throws InterruptedException {
    Runline engine = Runline.builder()
        .endpoint(Endpoint.builder(NoopJobs.ENDPOINT)
            .handler(job -> {
              batch.countDown();
              return output();
            })
            .workers(2)
            .queueCapacity(1 << 20)
            .unlimited()
            .build())
        .build();
    try {
      // Warm up (classes loaded, code compiled, tables sized); these jobs count in both figures.
      runEngineJobs(engine, WARMUP_JOBS);
      long before = stableHeapUsed();
      runEngineJobs(engine, jobs);
      long after = stableHeapUsed();
      Health.Jobs counted = engine.as(null).endpoint(NoopJobs.ENDPOINT).health().jobs();
      if (counted.completed() != WARMUP_JOBS + jobs || counted.failed() != 0) {
        throw new IllegalStateException("expected " + (WARMUP_JOBS + jobs) + " completed jobs, the engine counts "
            + counted);
      }
      return new Measured(before, after);
    } finally {
      Reference.reachabilityFence(engine);
      engine.close();
    }
  }

  private static void runEngineJobs(Runline engine, int jobs) throws InterruptedException {
    long before = engine.as(null).endpoint(NoopJobs.ENDPOINT).health().jobs().completed();
    for (int done = 0; done < jobs; done += BATCH) {
      int n = Math.min(BATCH, jobs - done);
      CountDownLatch latch = new CountDownLatch(n);
      batch = latch;
      for (int i = 0; i < n; i++) {
        engine.as(null).endpoint(NoopJobs.ENDPOINT).run(JobRequest.of(NoopJobs.INPUT));
      }
      if (!latch.await(STALL.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(latch.getCount() + " jobs of a batch did not run within " + STALL);
      }
    }
    // Each handler has returned; every job is COMPLETED once its worker finished the transition,
    // which the health counter counts.
    long deadline = System.nanoTime() + STALL.toNanos();
    while (engine.as(null).endpoint(NoopJobs.ENDPOINT).health().jobs().completed() < before + jobs) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("jobs did not reach COMPLETED within " + STALL + ": "
            + engine.as(null).endpoint(NoopJobs.ENDPOINT).health().jobs());
      }
      Thread.sleep(1);
    }
  }

  private static Measured measureBaseline(int jobs, ThreadPoolJobs.Records records) throws InterruptedException {
    ThreadPoolJobs pool = new ThreadPoolJobs(2, records, input -> {
      batch.countDown();
      return output();
    });
    try {
      runBaselineJobs(pool, WARMUP_JOBS);
      long before = stableHeapUsed();
      runBaselineJobs(pool, jobs);
      long after = stableHeapUsed();
      long completed = pool.records().values().stream()
          .filter(record -> record.state == ThreadPoolJobs.State.COMPLETED)
          .count();
      if (pool.records().size() != WARMUP_JOBS + jobs || completed != WARMUP_JOBS + jobs) {
        throw new IllegalStateException("expected " + (WARMUP_JOBS + jobs) + " COMPLETED records, found "
            + completed + " of " + pool.records().size());
      }
      return new Measured(before, after);
    } finally {
      Reference.reachabilityFence(pool);
      pool.close();
    }
  }

  private static void runBaselineJobs(ThreadPoolJobs pool, int jobs) throws InterruptedException {
    String[] ids = new String[BATCH];
    for (int done = 0; done < jobs; done += BATCH) {
      int n = Math.min(BATCH, jobs - done);
      CountDownLatch latch = new CountDownLatch(n);
      batch = latch;
      for (int i = 0; i < n; i++) {
        ids[i] = pool.submit(NoopJobs.INPUT);
      }
      if (!latch.await(STALL.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(latch.getCount() + " jobs of a batch did not run within " + STALL);
      }
    }
    // The pool runs jobs in order on each thread: once the last batch's are done, all are.
    for (String id : ids) {
      if (id != null) {
        pool.record(id).completion.orTimeout(STALL.toMillis(), TimeUnit.MILLISECONDS).join();
      }
    }
  }

  /** Heap in use after full collections, repeated until two readings agree within 0.1%. */
  static long stableHeapUsed() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = -1;
    long used = 0;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      used = memory.getHeapMemoryUsage().getUsed();
      if (previous >= 0 && Math.abs(used - previous) <= Math.max(64 * 1024, used / 1000)) {
        break;
      }
      previous = used;
    }
    return used;
  }
}
