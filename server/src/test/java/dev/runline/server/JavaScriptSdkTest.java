package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's official JavaScript SDK (npm {@code runpod-sdk}, pinned in
 * {@code src/test/js/package.json} and its lock file) against a real server: {@code npm ci}
 * installs it once, then {@code node sdk-e2e.mjs} runs run/status, runSync (with and without
 * its /status-sync polling), stream, cancel, health, purgeQueue and a wrong key through it; and
 * against two nodes sharing one Redis, the same with jobs run through one node read, waited
 * for, streamed and cancelled through the other.
 * Fails, naming what is missing, when node (18 or newer) or npm is not on the PATH (the
 * build installs them where missing: {@code .ci/test-tools.sh}) or the npm registry cannot
 * be reached.
 */
class JavaScriptSdkTest {
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> CHECKS = List.of("run-status", "runSync", "runSync-polls-status-sync", "stream",
      "cancel", "health", "purgeQueue", "unauthorized");
  private static final List<String> OTHER_NODE_CHECKS = List.of("other-node-status", "other-node-runSync",
      "other-node-stream", "other-node-cancel");
  private static final Pattern NETWORK_ERROR = Pattern.compile(
      "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT"
          + "|network request|request to \\S+ failed|This is a problem related to network connectivity",
      Pattern.CASE_INSENSITIVE);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path jsDir;
  private static Path node;
  /** Why the test cannot run here (node or npm missing or too old), or null. */
  private static String missing;

  @BeforeAll
  static void installSdk() throws IOException, InterruptedException {
    Optional<Path> foundNode = onPath("node");
    Optional<Path> foundNpm = onPath("npm");
    if (foundNode.isEmpty() || foundNpm.isEmpty()) {
      missing = (foundNode.isEmpty() ? "node" : "npm") + " is not on the PATH, so the JavaScript SDK test cannot run"
          + " (the build installs it where missing: .ci/test-tools.sh); PATH=" + System.getenv("PATH");
      System.out.println("JavaScriptSdkTest: " + missing);
      return;
    }
    node = foundNode.get();
    Result version = exec(List.of(node.toString(), "--version"), Path.of("."), Map.of(), Duration.ofSeconds(30));
    Matcher major = Pattern.compile("v(\\d+)\\.").matcher(version.output());
    if (version.exitCode() != 0 || !major.find() || Integer.parseInt(major.group(1)) < 18) {
      missing = "node at " + node + " (" + version.output().trim() + ") is not Node.js 18 or newer (runpod-sdk's HTTP"
          + " client needs the global fetch), so the JavaScript SDK test cannot run";
      System.out.println("JavaScriptSdkTest: " + missing);
      return;
    }

    jsDir = Files.isDirectory(Path.of("src/test/js")) ? Path.of("src/test/js") : Path.of("server/src/test/js");
    jsDir = jsDir.toAbsolutePath().normalize();
    assertThat(jsDir.resolve("package.json")).as("the SDK test's npm project").exists();

    boolean locked = Files.exists(jsDir.resolve("package-lock.json"));
    List<String> install = locked
        ? List.of(foundNpm.get().toString(), "ci", "--no-audit", "--no-fund")
        : List.of(foundNpm.get().toString(), "install", "--no-audit", "--no-fund");
    String command = String.join(" ", install.subList(1, install.size()));
    Result result = exec(install, jsDir, Map.of("npm_config_update_notifier", "false"), INSTALL_TIMEOUT);
    if (result.timedOut()) {
      fail("npm " + command + " in " + jsDir + " did not finish within " + INSTALL_TIMEOUT.toMinutes()
          + " minutes; the npm registry (" + registry(foundNpm.get()) + ") may be unreachable or very slow."
          + " This test installs runpod-sdk from it.\n--- npm output ---\n" + result.output());
    }
    if (result.exitCode() != 0) {
      if (NETWORK_ERROR.matcher(result.output()).find()) {
        fail("npm " + command + " could not reach the npm registry (" + registry(foundNpm.get()) + "), which this test"
            + " needs to install runpod-sdk: give the build network access to it (or point npm at a mirror with"
            + " `npm config set registry ...`).\n--- npm output ---\n" + result.output());
      }
      fail("npm " + command + " in " + jsDir + " failed with exit code " + result.exitCode()
          + "\n--- npm output ---\n" + result.output());
    }
    assertThat(jsDir.resolve("node_modules/runpod-sdk/package.json")).as("runpod-sdk installed by npm").exists();
  }

  @Test
  void theOfficialJavaScriptSdkDrivesEveryRoute() throws IOException, InterruptedException {
    assertThat(missing).as("what the JavaScript SDK test needs").isNull();
    Map<String, JsonNode> checks;
    try (HttpFixture http = new HttpFixture()) {
      // What a user passes as the SDK's baseUrl: the server's root with /v2, as the SDK's own
      // default is "https://api.runpod.ai/v2" and it appends "/{endpointId}/run" etc.
      checks = runScript(Map.of("RUNLINE_BASE_URL", baseUrl(http.server), "RUNLINE_API_KEY", HttpFixture.KEY),
          CHECKS);
    }
    assertThat(checks.get("stream").path("detail").path("text").asText()).isEqualTo("Hello how are you");
    assertThat(checks.get("cancel").path("detail").path("cancel").path("status").asText()).isEqualTo("CANCELLED");
    assertThat(checks.get("purgeQueue").path("detail").path("status").asText()).isEqualTo("completed");
  }

  @Test
  void throughTheSdkTwoNodesOnOneRedisAreOneService() throws Exception {
    assertThat(missing).as("what the JavaScript SDK test needs").isNull();
    Map<String, JsonNode> checks;
    try (RedisServer redis = RedisServer.start()) {
      String namespace = "sdk-" + System.nanoTime();
      try (HttpFixture http = new HttpFixture(List.of(
          builder -> RedisJobs.node(builder, RedisOptions.of(redis.uri()).withNode("node-a").withNamespace(namespace)),
          builder -> RedisJobs.node(builder, RedisOptions.of(redis.uri()).withNode("node-b").withNamespace(namespace))))) {
        List<RunlineServer> nodes = http.servers();
        List<String> expected = new ArrayList<>(CHECKS);
        expected.addAll(OTHER_NODE_CHECKS);
        checks = runScript(Map.of("RUNLINE_BASE_URL", baseUrl(nodes.get(0)), "RUNLINE_OTHER_BASE_URL",
            baseUrl(nodes.get(1)), "RUNLINE_API_KEY", HttpFixture.KEY), expected);
      }
    }
    assertThat(checks.get("other-node-stream").path("detail").path("text").asText()).isEqualTo("one two three four");
    assertThat(checks.get("other-node-cancel").path("detail").path("after").asText()).isEqualTo("CANCELLED");
  }

  private static String baseUrl(RunlineServer server) {
    return "http://127.0.0.1:" + server.port() + "/v2";
  }

  /** Runs sdk-e2e.mjs with {@code env}; asserts it passed every one of {@code expected}; returns the checks by name. */
  private static Map<String, JsonNode> runScript(Map<String, String> env, List<String> expected)
      throws IOException, InterruptedException {
    Result result = exec(List.of(node.toString(), "sdk-e2e.mjs"), jsDir, env, SCRIPT_TIMEOUT);
    String output = result.output();
    String shown = "\n--- node sdk-e2e.mjs output ---\n" + output + "--- end ---";
    if (result.timedOut() || result.exitCode() != 0) {
      System.out.println(shown);
    }
    assertThat(result.timedOut()).as("node sdk-e2e.mjs finished within %s s%s", SCRIPT_TIMEOUT.toSeconds(), shown)
        .isFalse();
    assertThat(result.exitCode()).as("node sdk-e2e.mjs exit code%s", shown).isZero();

    Map<String, JsonNode> checks = new LinkedHashMap<>();
    for (String line : output.split("\\R")) {
      if (!line.startsWith("{")) {
        continue; // the SDK prints lines of its own ("<id>: COMPLETED") while runSync polls
      }
      JsonNode check = JSON.readTree(line);
      if (check.hasNonNull("check")) {
        checks.put(check.get("check").asText(), check);
      }
    }
    List<String> notOk = new ArrayList<>();
    for (String name : expected) {
      JsonNode check = checks.get(name);
      if (check == null || !check.path("ok").asBoolean(false)) {
        notOk.add(name + (check == null ? " (not printed)" : ": " + check));
      }
    }
    if (!notOk.isEmpty()) {
      System.out.println(shown);
    }
    assertThat(notOk).as("SDK checks not printed with ok:true%s", shown).isEmpty();
    return checks;
  }

  @Test
  void theOfficialJavaScriptSdkDrivesAnEndpointServedByRemoteWorkerProcesses(@TempDir Path logs)
      throws IOException, InterruptedException {
    assertThat(missing).as("what the JavaScript SDK test needs").isNull();
    Result result;
    List<Process> workers = new ArrayList<>();
    try (RemoteFixture remote = new RemoteFixture("5s", "2s", 2)) {
      String base = "http://127.0.0.1:" + remote.port();
      for (String id : List.of("sdk-w1", "sdk-w2")) {
        workers.add(RemoteWorkerProcessTest.startWorker(base, RemoteFixture.ENDPOINT, id, RemoteFixture.WORKER_KEY,
            logs));
      }
      Map<String, String> env = Map.of("RUNLINE_BASE_URL", base + "/v2", "RUNLINE_API_KEY", RemoteFixture.KEY,
          "RUNLINE_ENDPOINT", RemoteFixture.ENDPOINT);
      result = exec(List.of(node.toString(), "sdk-remote-e2e.mjs"), jsDir, env, SCRIPT_TIMEOUT);
    } finally {
      for (Process worker : workers) {
        worker.destroyForcibly();
        worker.waitFor(10, TimeUnit.SECONDS);
      }
    }
    String shown = "\n--- node sdk-remote-e2e.mjs output ---\n" + result.output() + "--- end ---";
    assertThat(result.timedOut()).as("node sdk-remote-e2e.mjs finished within %s s%s", SCRIPT_TIMEOUT.toSeconds(),
        shown).isFalse();
    assertThat(result.exitCode()).as("node sdk-remote-e2e.mjs exit code%s", shown).isZero();
    Map<String, JsonNode> checks = new LinkedHashMap<>();
    for (String line : result.output().split("\\R")) {
      if (line.startsWith("{")) {
        JsonNode check = JSON.readTree(line);
        checks.put(check.path("check").asText(), check);
      }
    }
    assertThat(checks.keySet()).as("checks printed%s", shown).containsExactly("remote-run-stream", "remote-runSync",
        "remote-failure", "remote-cancel", "remote-timeout", "remote-health");
    assertThat(checks.values()).allMatch(check -> check.path("ok").asBoolean(false));
    assertThat(checks.get("remote-run-stream").path("detail").path("workerId").asText()).startsWith("sdk-w");
    assertThat(checks.get("remote-timeout").path("detail").path("status").asText()).isEqualTo("TIMED_OUT");
  }

  // ---- processes -----------------------------------------------------------------------

  record Result(int exitCode, boolean timedOut, String output) {}

  /** Runs a command with stdout and stderr into one file (no pipe to drain), bounded by {@code timeout}. */
  private static Result exec(List<String> command, Path dir, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("runline-js-sdk-", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File(isWindows() ? "NUL" : "/dev/null")));
      builder.environment().putAll(env);
      Process process = builder.start();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      return new Result(finished ? process.exitValue() : -1, !finished, output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The registry npm is configured with, for error messages. */
  private static String registry(Path npm) {
    try {
      Result result = exec(List.of(npm.toString(), "config", "get", "registry"), Path.of("."), Map.of(),
          Duration.ofSeconds(30));
      String[] lines = result.output().trim().split("\\R");
      return result.exitCode() == 0 && lines.length > 0 ? lines[lines.length - 1].trim() : "npm's configured registry";
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return "npm's configured registry";
    }
  }

  /** The executable {@code name} on the PATH ({@code name.cmd}/{@code .exe} on Windows), if any. */
  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    List<String> names = isWindows() ? List.of(name + ".cmd", name + ".exe", name) : List.of(name);
    for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
      if (dir.isBlank()) {
        continue;
      }
      for (String candidate : names) {
        Path file = Path.of(dir).resolve(candidate);
        if (Files.isRegularFile(file) && Files.isExecutable(file)) {
          return Optional.of(file);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  }
}
