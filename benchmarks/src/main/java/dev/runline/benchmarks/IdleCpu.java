package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.Status;
import dev.runline.spi.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU an idle engine costs: starts an engine with 10 endpoints (a no-op handler each, the
 * cpu backend, every other setting the default: workers = the number of processors, default
 * limits, retention and policy), runs a short warm-up on each, lets it settle, then measures
 * the process's CPU time over an idle window of {@code SECONDS} (default 10) as a percentage of
 * one core, with the voluntary context switches of every thread over the same window (wake-ups
 * per second; {@link ContextSwitches}). The JVM alone is measured first the same way (before
 * the engine exists), for comparison: what a JVM that does nothing costs here.
 *
 * <p>CPU time: {@code OperatingSystemMXBean.getProcessCpuTime()} (on Linux,
 * {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)}, every thread, in ns), with
 * {@code ProcessHandle.current().info().totalCpuDuration()} (user + system of
 * {@code /proc/self/stat}, in clock ticks of 10 ms) recorded beside it as a cross-check.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.IdleCpu [SECONDS [OUT.json]]};
 * run.sh writes {@code results/idle.json}.
 */
public final class IdleCpu {
  static final int ENDPOINTS = 10;
  static final double DEFAULT_SECONDS = 10;
  private static final int WARMUP_JOBS_PER_ENDPOINT = 200;
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private IdleCpu() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : DEFAULT_SECONDS;
    Path out = args.length > 1 ? Path.of(args[1]) : null;
    Duration window = Duration.ofMillis(Math.round(seconds * 1000));
    Duration aloneWindow = window.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : window;

    ObjectNode json = Json.mapper().createObjectNode();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", Machine.describe());
    json.put("source", "OperatingSystemMXBean.getProcessCpuTime (all threads, ns); voluntary_ctxt_switches of "
        + "/proc/self/task/*/status");

    Thread.sleep(SETTLE.toMillis());
    Idle alone = measure(aloneWindow);
    print("JVM alone (no engine yet)", alone);
    json.set("jvmAlone", alone.json());

    RunlineBuilder builder = Runline.builder();
    int workers = 0;
    for (int i = 1; i <= ENDPOINTS; i++) {
      Endpoint endpoint = Endpoint.builder("idle-" + i).handler(job -> job.input()).build();
      workers = endpoint.workers();
      builder.endpoint(endpoint);
    }
    try (Runline engine = builder.build()) {
      if (engine.inspect().endpoints().size() != ENDPOINTS) {
        throw new IllegalStateException("expected " + ENDPOINTS + " endpoints, the engine has "
            + engine.inspect().endpoints());
      }
      Map<String, Object> input = NoopJobs.INPUT;
      for (int i = 1; i <= ENDPOINTS; i++) {
        for (int j = 0; j < WARMUP_JOBS_PER_ENDPOINT; j++) {
          JobStatus status = engine.as(null).endpoint("idle-" + i).runSync(JobRequest.of(input), WAIT).join();
          if (status.status() != Status.COMPLETED) {
            throw new IllegalStateException("warm-up job ended " + status);
          }
        }
      }
      Thread.sleep(SETTLE.toMillis());
      Idle idle = measure(window);
      print("engine, " + ENDPOINTS + " endpoints, idle", idle);
      ObjectNode engineJson = idle.json();
      json.put("endpoints", ENDPOINTS);
      json.put("workersPerEndpoint", workers);
      json.put("warmupJobsPerEndpoint", WARMUP_JOBS_PER_ENDPOINT);
      json.setAll(engineJson);
    }
    if (out != null) {
      Files.writeString(out, json.toPrettyString() + "\n");
      System.out.println("Written: " + out);
    }
  }

  /** The CPU and wake-ups of this process over an idle window. */
  record Idle(double seconds, double cpuSeconds, double ticksCpuSeconds, long voluntarySwitches,
      Map<String, Long> byThread) {
    double percentOfOneCore() {
      return 100 * cpuSeconds / seconds;
    }

    ObjectNode json() {
      ObjectNode json = Json.mapper().createObjectNode();
      json.put("idleSeconds", seconds);
      json.put("cpuSeconds", cpuSeconds);
      json.put("percentOfOneCore", percentOfOneCore());
      json.put("procStatCpuSeconds", ticksCpuSeconds);
      json.put("voluntarySwitches", voluntarySwitches);
      json.put("wakeupsPerSecond", voluntarySwitches / seconds);
      ObjectNode threads = json.putObject("byThread");
      byThread.forEach(threads::put);
      return json;
    }
  }

  static Idle measure(Duration window) throws InterruptedException {
    ContextSwitches.Window switches = ContextSwitches.start(null);
    long cpu0 = processCpuNanos();
    long ticks0 = procStatCpuNanos();
    long t0 = System.nanoTime();
    Thread.sleep(window.toMillis());
    long cpu1 = processCpuNanos();
    long ticks1 = procStatCpuNanos();
    long t1 = System.nanoTime();
    ContextSwitches.Counts counts = switches.stop();
    return new Idle((t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, (ticks1 - ticks0) / 1e9, counts.voluntary(),
        counts.voluntaryByThread());
  }

  private static void print(String what, Idle idle) {
    System.out.printf(Locale.ROOT, "%-34s %.2f s: CPU %.3f s = %.2f%% of one core (/proc/self/stat: %.2f s); "
            + "%.1f wake-ups/s; by thread: %s%n",
        what, idle.seconds(), idle.cpuSeconds(), idle.percentOfOneCore(), idle.ticksCpuSeconds(),
        idle.voluntarySwitches() / idle.seconds(), idle.byThread());
  }

  /** This process's CPU time (every thread, user + system), ns; -1 when the VM cannot tell. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      if (nanos >= 0) {
        return nanos;
      }
    }
    return procStatCpuNanos();
  }

  /** The same from {@code /proc/self/stat} (user + system clock ticks) through ProcessHandle; -1 when unknown. */
  static long procStatCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }
}
