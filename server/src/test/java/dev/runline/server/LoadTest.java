package dev.runline.server;

import static dev.runline.server.TestServer.KEY;
import static dev.runline.server.TestServer.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobListener;
import dev.runline.server.HttpFixture.Reply;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded load on loopback with wrk: two wrk processes for {@code runline.load.seconds}
 * (10 s by default, 180 s with {@code -Pfull}), each mixing /run, /runsync, /status and
 * /health on one endpoint: {@code echo} with the default per-key limits, which the load
 * crosses within a second, and {@code bulk} with every limit off. Meanwhile the test itself
 * samples a rate-limited call, /ping and the heap.
 *
 * <p>Afterwards: no 5xx; rate-limited calls got 429, every one with Retry-After; every job
 * wrk saw accepted is in /health's counts (which may hold at most one more per connection:
 * a request in flight when wrk stopped is accepted without wrk reading its answer), and
 * /health agrees exactly with a recount of the jobs that ended; the server still answers at
 * once and the heap after a GC is back near where it started.
 *
 * <p>Needs wrk on the PATH: the build installs it where missing ({@code .ci/test-tools.sh}).
 */
class LoadTest {
  private static final int SECONDS = Integer.getInteger("runline.load.seconds", 10);
  /** Connections of each wrk process. */
  private static final int CONNECTIONS = 8;
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

  /** Terminal states seen by a listener, per endpoint: the recount /health must match. */
  private final Map<String, Map<String, LongAdder>> ended = new ConcurrentHashMap<>();

  @Test
  void theServerHoldsAMixedLoadAcrossItsRateLimits(@TempDir Path dir) throws Exception {
    String wrk = onPath("wrk");
    assertThat(wrk).as("wrk on the PATH (the build installs it where missing: .ci/test-tools.sh)").isNotNull();
    Path script = dir.resolve("load.lua");
    try (InputStream in = LoadTest.class.getResourceAsStream("load.lua")) {
      assertThat(in).as("load.lua on the test class path").isNotNull();
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }

    JobListener recount = (endpoint, status) -> ended.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(status.status().name(), s -> new LongAdder()).increment();
    long heapBefore = HostileInputTest.usedHeapAfterGc();
    try (TestServer server = TestServer.start(ServerOptions.of("127.0.0.1", 0), builder -> builder
        .listener(recount)
        .endpoint(Endpoint.builder("bulk").handler(DemoHandlers.ECHO).workers(2).unlimited()
            .retention(Duration.ofSeconds(10), Duration.ofSeconds(10)).build()))) {
      String base = "http://127.0.0.1:" + server.port();
      Process limited = wrk(wrk, script, base, KEY, "echo", dir.resolve("echo.out"));
      Process bulk = wrk(wrk, script, base, OTHER_KEY, "bulk", dir.resolve("bulk.out"));

      // While the load runs: a rate-limited call gets 429 with Retry-After, /ping answers at once.
      TestServer.Calls calls = server.calls();
      int sampled429 = 0;
      int sampledAccepted = 0;
      long slowestPing = 0;
      long peakHeap = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS + 60);
      while (limited.isAlive() || bulk.isAlive()) {
        assertThat(System.nanoTime()).as("wrk ended in time").isLessThan(deadline);
        Reply run = calls.post("/v2/echo/run", KEY, "{\"input\": \"sample\"}");
        assertThat(run.status()).as("a sampled /run during the load").isIn(200, 429);
        if (run.status() == 429) {
          sampled429++;
          assertThat(run.raw().headers().firstValue("Retry-After")).as("Retry-After of a sampled 429")
              .hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 10L));
          assertThat(run.text("error")).contains("rate limit");
        } else {
          sampledAccepted++;
          server.engine.as(KEY).endpoint("echo").cancel(run.text("id"));
        }
        long start = System.nanoTime();
        assertThat(calls.get("/ping", null).status()).isEqualTo(200);
        slowestPing = Math.max(slowestPing, System.nanoTime() - start);
        Runtime runtime = Runtime.getRuntime();
        peakHeap = Math.max(peakHeap, runtime.totalMemory() - runtime.freeMemory());
        // Waiting on the processes paces the sampling.
        limited.waitFor(200, TimeUnit.MILLISECONDS);
      }
      Map<String, Long> echo = result(limited, dir.resolve("echo.out"));
      Map<String, Long> open = result(bulk, dir.resolve("bulk.out"));

      await().atMost(Duration.ofSeconds(60)).until(() -> List.of("echo", "bulk").stream().allMatch(e -> {
        Health.Jobs jobs = server.engine.inspect().health(e).jobs();
        return jobs.inQueue() == 0 && jobs.inProgress() == 0;
      }));
      Map<String, Object> figures = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, Long>> load : Map.of("echo", echo, "bulk", open).entrySet()) {
        String endpoint = load.getKey();
        Map<String, Long> r = load.getValue();
        String what = endpoint + " " + r;
        assertThat(r.get("s5xx")).as(what + ": answers >= 500").isZero();
        assertThat(r.get("noRetryAfter")).as(what + ": 429s without Retry-After").isZero();
        assertThat(r.get("connect_errors") + r.get("timeouts")).as(what + ": connect errors and timeouts").isZero();
        assertThat(r.get("run200") + r.get("runsync200")).as(what + ": jobs accepted").isPositive();

        Health.Jobs jobs = server.engine.inspect().health(endpoint).jobs();
        long inHealth = jobs.completed() + jobs.failed() + jobs.inQueue() + jobs.inProgress();
        long accepted = r.get("run200") + r.get("runsync200");
        Map<String, LongAdder> recounted = ended.getOrDefault(endpoint, Map.of());
        long completed = count(recounted, "COMPLETED");
        long failed = count(recounted, "FAILED") + count(recounted, "TIMED_OUT");
        long cancelled = count(recounted, "CANCELLED");
        assertThat(jobs.completed()).as(what + ": /health completed = jobs that ended COMPLETED").isEqualTo(completed);
        assertThat(jobs.failed()).as(what + ": /health failed = jobs that ended FAILED or TIMED_OUT").isEqualTo(failed);
        // The sampler's own /run jobs on echo were cancelled (not counted by /health) unless they ended first.
        long sampler = endpoint.equals("echo") ? sampledAccepted : 0;
        assertThat(inHealth).as(what + ": /health holds every job wrk saw accepted")
            .isBetween(accepted, accepted + CONNECTIONS + sampler);
        figures.put(endpoint, String.format("%d requests in %.1f s (%.0f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                + " accepted by wrk's count %d, in /health %d (cancelled by the sampler %d); 429: %d; other 4xx: %d",
            r.get("requests"), r.get("duration_us") / 1e6, r.get("requests") / (r.get("duration_us") / 1e6),
            r.get("p50_us") / 1e3, r.get("p99_us") / 1e3, r.get("max_us") / 1e3, accepted, inHealth, cancelled,
            r.get("s429"), r.get("s4xx")));
      }
      assertThat(echo.get("s429")).as("the load crossed echo's rate limits").isPositive();
      assertThat(sampled429).as("sampled 429s during the load").isPositive();
      assertThat(Duration.ofNanos(slowestPing)).as("slowest /ping during the load").isLessThan(Duration.ofSeconds(2));

      long heapAfter = HostileInputTest.usedHeapAfterGc();
      figures.put("heap", String.format("used after GC %d MB before, %d MB after; peak sampled %d MB",
          heapBefore >> 20, heapAfter >> 20, peakHeap >> 20));
      figures.put("ping", "slowest /ping during the load " + TimeUnit.NANOSECONDS.toMillis(slowestPing) + " ms");
      figures.forEach((k, v) -> System.out.println("LoadTest " + k + ": " + v));
      assertThat(heapAfter - heapBefore).as("heap growth after the load, in bytes").isLessThan(256L << 20);
    }
  }

  private static long count(Map<String, LongAdder> counts, String status) {
    LongAdder n = counts.get(status);
    return n == null ? 0 : n.sum();
  }

  private static Process wrk(String wrk, Path script, String base, String key, String endpoint, Path out)
      throws IOException {
    return new ProcessBuilder(wrk, "-t1", "-c" + CONNECTIONS, "-d" + SECONDS + "s", "--timeout", "10s",
        "-s", script.toString(), base, "--", key, endpoint)
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private static Map<String, Long> result(Process process, Path out) throws Exception {
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("wrk's exit code; its output:\n" + text).isZero();
    String line = text.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertThat(line).as("wrk's RESULT line in:\n" + text).isNotNull();
    Map<String, Long> fields = new LinkedHashMap<>();
    Matcher m = FIELD.matcher(line);
    while (m.find()) {
      fields.put(m.group(1), Long.parseLong(m.group(2)));
    }
    return fields;
  }

  private static String onPath(String name) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
