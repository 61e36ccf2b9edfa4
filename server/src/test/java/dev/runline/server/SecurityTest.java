package dev.runline.server;

import static dev.runline.server.TestServer.KEY;
import static dev.runline.server.TestServer.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.Health;
import dev.runline.server.HttpFixture.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Tenancy and secrets: another key's job is "not found" on every route, method and state,
 * with the same answer as a job that never existed, and nothing another key does changes
 * it; API keys never appear in the log, the console, /metrics or any answer; webhooks
 * cannot point at non-HTTP schemes; limits are configurable (the configuration file's
 * route limits, the listener's header size).
 *
 * <p>That keys are compared in constant time is not measured here (a timing test on a shared
 * machine would be noise); what is checked is that a refusal says nothing about how much of
 * a key matched.
 */
class SecurityTest {
  private static TestServer shared;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startShared() {
    shared = TestServer.start();
  }

  @AfterAll
  static void stopShared() {
    shared.close();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private TestServer server() {
    TestServer server = TestServer.start();
    toClose.add(server);
    return server;
  }

  // ---- another key's job ---------------------------------------------------------------

  /** Every call that names a job, by route, method and query. */
  private static final List<String[]> JOB_CALLS = List.of(
      new String[] {"GET", "status/%s"}, new String[] {"POST", "status/%s"}, new String[] {"GET", "status/%s?ttl=1"},
      new String[] {"GET", "status-sync/%s?wait=0"}, new String[] {"POST", "status-sync/%s?wait=10"},
      new String[] {"GET", "stream/%s?wait=0"}, new String[] {"POST", "stream/%s?wait=10"},
      new String[] {"SSE", "stream/%s"}, new String[] {"POST", "cancel/%s"}, new String[] {"POST", "retry/%s"});

  private static Reply call(TestServer server, String key, String method, String endpoint, String route, String id) {
    String path = "/v2/" + endpoint + "/" + String.format(route, id);
    HttpRequest.Builder request = server.request(path, key);
    switch (method) {
      case "GET" -> request.GET();
      case "SSE" -> request.header("Accept", "text/event-stream").GET();
      default -> request.POST(HttpRequest.BodyPublishers.noBody());
    }
    return server.send(request.build());
  }

  @Test
  void anotherKeysJobIsNotFoundOnEveryRouteMethodAndStateAndStaysUnchanged() {
    TestServer server = server();
    Map<String, String[]> jobs = new LinkedHashMap<>();
    String running = server.post("/v2/gated/run", KEY, "{\"input\": \"running\"}").text("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.engine.inspect().health("gated").jobs().inProgress() == 1);
    jobs.put("IN_PROGRESS", new String[] {"gated", running});
    jobs.put("IN_QUEUE", new String[] {"gated", server.post("/v2/gated/run", KEY, "{\"input\": \"queued\"}").text("id")});
    jobs.put("COMPLETED", new String[] {"echo", server.post("/v2/echo/runsync", KEY, "{\"input\": \"done\"}").text("id")});
    jobs.put("FAILED", new String[] {"fail", server.post("/v2/fail/runsync", KEY, "{\"input\": {}}").text("id")});
    Map<String, JsonNode> before = new LinkedHashMap<>();
    jobs.forEach((state, job) -> {
      Reply owner = server.get("/v2/" + job[0] + "/status/" + job[1], KEY);
      assertThat(owner.text("status")).as(state).isEqualTo(state);
      before.put(state, owner.json());
    });

    jobs.forEach((state, job) -> {
      for (String[] jobCall : JOB_CALLS) {
        String what = state + " job, " + jobCall[0] + " " + jobCall[1];
        Reply stranger = call(server, OTHER_KEY, jobCall[0], job[0], jobCall[1], job[1]);
        Reply nobody = call(server, OTHER_KEY, jobCall[0], job[0], jobCall[1], UUID.randomUUID().toString());
        assertThat(stranger.status()).as(what).isEqualTo(404);
        assertThat(stranger.text("error")).as(what).isNotBlank();
        assertThat(stranger.json().size()).as(what + ": only an error").isEqualTo(1);
        assertThat(stranger.raw().body()).as(what + ": the same answer as for a job that never existed")
            .isEqualTo(nobody.raw().body().replaceAll("'[0-9a-f-]{36}'", "'" + job[1] + "'"));
      }
    });
    assertThat(server.post("/v2/gated/purge-queue", OTHER_KEY, "").json().path("removed").asLong())
        .as("another key's purge").isZero();

    jobs.forEach((state, job) -> {
      Reply owner = server.get("/v2/" + job[0] + "/status/" + job[1], KEY);
      assertThat(owner.status()).as(state).isEqualTo(200);
      JsonNode now = owner.json();
      assertThat(now.path("status").asText()).as(state + " after another key's calls").isEqualTo(state);
      assertThat(now.path("output")).as(state).isEqualTo(before.get(state).path("output"));
      assertThat(now.path("retries").isMissingNode()).as(state + ": another key's retry did nothing").isTrue();
    });
    // Another key's ?ttl=1 did not shorten the owner's retention either.
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
        jobs.values().stream().allMatch(job -> server.get("/v2/" + job[0] + "/status/" + job[1], KEY).status() == 200));
    server.gate.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        "COMPLETED".equals(server.get("/v2/gated/status/" + jobs.get("IN_QUEUE")[1], KEY).text("status")));
  }

  @Test
  void aRefusedKeyGetsTheSameAnswerWhateverPartOfItMatched() {
    TestServer server = shared;
    List<String> wrong = List.of(KEY.substring(0, KEY.length() - 1) + "X", "X" + KEY.substring(1), KEY + "X",
        KEY.substring(0, 4), "completely-different-key", KEY.toUpperCase(), " " + KEY + "\t");
    String first = null;
    for (String key : wrong) {
      Reply reply = server.get("/v2/echo/health", key);
      if (key.isBlank() || key.strip().equals(KEY)) {
        continue;
      }
      assertThat(reply.status()).as(key).isEqualTo(401);
      assertThat(reply.raw().body()).as("the answer names no key").doesNotContain(key.strip()).doesNotContain(KEY);
      first = first == null ? reply.raw().body() : first;
      assertThat(reply.raw().body()).as("the same answer for '" + key + "'").isEqualTo(first);
    }
  }

  // ---- keys never leak -------------------------------------------------------------------

  @Test
  void apiKeysNeverAppearInTheLogTheConsoleTheMetricsOrAnyAnswer() throws Exception {
    String key = "sk-" + UUID.randomUUID();
    String otherKey = "sk-" + UUID.randomUUID();
    String wrongKey = "sk-" + UUID.randomUUID();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    List<String> answers = new ArrayList<>();
    String log;
    String metrics;
    try (LogCapture capture = LogCapture.start()) {
      Main main = new Main(new PrintStream(console, true, StandardCharsets.UTF_8));
      new CommandLine(main).parseArgs("--port", "0", "--api-key", key);
      try (Main.Running running = main.start(otherKey)) {
        TestServer.Calls calls = new TestServer.Calls(running.server().port());
        String id = calls.post("/v2/echo/runsync", key, "{\"input\": {\"prompt\": \"hi\"}}").text("id");
        String failed = calls.post("/v2/fail/runsync", key, "{\"input\": {\"message\": \"boom\"}, "
            + "\"webhook\": \"http://127.0.0.1:9/hook\"}").text("id");
        for (String presented : List.of(key, otherKey, wrongKey, "Bearer " + wrongKey, key + "x")) {
          answers.add(calls.get("/v2/echo/status/" + id, presented).raw().body());
          answers.add(calls.get("/v2/echo/status/" + UUID.randomUUID(), presented).raw().body());
          answers.add(calls.post("/v2/echo/run", presented, "{\"input\": 1, \"policy\": {\"ttl\": 1}}").raw().body());
          answers.add(calls.post("/v2/echo/run", presented, "{\"input\": ").raw().body());
          answers.add(calls.post("/v2/nope/run", presented, "{\"input\": 1}").raw().body());
          answers.add(calls.post("/v2/fail/retry/" + failed, presented, "").raw().body());
          answers.add(calls.get("/v2/echo/health", presented).raw().body());
        }
        for (int i = 0; i < 4; i++) {
          answers.add(calls.post("/v2/echo/purge-queue", key, "").raw().body());
        }
        metrics = calls.get("/metrics", null).raw().body();
        assertThat(metrics).contains("runline_http_refused_total");
      }
      log = capture.text();
    }
    assertThat(log).as("the log").contains("runline-server listening").contains("refused");
    for (String secret : List.of(key, otherKey, wrongKey, key.substring(3), otherKey.substring(3), wrongKey.substring(3))) {
      assertThat(log).as("the log").doesNotContain(secret);
      assertThat(console.toString(StandardCharsets.UTF_8)).as("the console").doesNotContain(secret);
      assertThat(metrics).as("/metrics").doesNotContain(secret);
      assertThat(answers).as("the answers").allSatisfy(body -> assertThat(body).doesNotContain(secret));
    }
    assertThat(log).as("the log").doesNotContain("Bearer");
  }

  // ---- webhooks ------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"file:///etc/passwd", "ftp://127.0.0.1/hook", "gopher://127.0.0.1:70/x", "jar:http://127.0.0.1/x!/y",
      "javascript:alert(1)", "data:text/plain,hi", "mailto:a@b.c", "ldap://127.0.0.1/x", "dict://127.0.0.1:11211/",
      "ws://127.0.0.1/x", "unix:///var/run/docker.sock", "netdoc:///etc/passwd", "//127.0.0.1/hook", "/hook",
      "127.0.0.1:8080/hook", "http:/hook", "http:///hook", "http://", "https://", "http:hook", " http://127.0.0.1/",
      "http://127.0.0.1/\r\nX: y", ""})
  void aWebhookThatIsNotAnAbsoluteHttpUrlIs400AndNothingIsQueued(String webhook) {
    TestServer server = shared;
    for (String field : List.of("webhook", "webhookV2")) {
      for (String route : List.of("run", "runsync")) {
        Health.Jobs before = server.engine.inspect().health("open").jobs();
        String body = "{\"input\": 1, \"" + field + "\": " + HostileInputTest.quote(webhook) + "}";
        Reply reply = server.post("/v2/open/" + route, KEY, body);
        assertThat(reply.status()).as(field + " = " + webhook + " on /" + route).isEqualTo(400);
        assertThat(reply.text("error")).as(webhook).contains("webhook");
        Health.Jobs after = server.engine.inspect().health("open").jobs();
        assertThat(after.completed() + after.failed() + after.inQueue() + after.inProgress())
            .as("jobs accepted").isEqualTo(before.completed() + before.failed() + before.inQueue() + before.inProgress());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9/hook", "https://127.0.0.1:9/hook", "HTTP://127.0.0.1:9/hook",
      "http://user:secret@127.0.0.1:9/hook?a=1#f", "http://[::1]:9/hook"})
  void anAbsoluteHttpOrHttpsWebhookIsAccepted(String webhook) {
    TestServer server = shared;
    Reply reply = server.post("/v2/open/run", KEY, "{\"input\": 1, \"webhook\": \"" + webhook + "\"}");
    assertThat(reply.status()).as(webhook + ": " + reply.raw().body()).isEqualTo(200);
  }

  // ---- limits are configurable -----------------------------------------------------------

  @Test
  void routeLimitsComeFromTheConfigurationFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("runline.yaml");
    Files.writeString(file, String.join("\n", List.of(
        "endpoints:",
        "  echo:",
        "    handler: echo",
        "    workers: 1",
        "    limits:",
        "      run: { requests: 3, per: 60s }",
        "      health: off")));
    Main main = new Main(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    new CommandLine(main).parseArgs("--port", "0", "--api-key", KEY, "--config", file.toString());
    try (Main.Running running = main.start(null)) {
      TestServer.Calls calls = new TestServer.Calls(running.server().port());
      for (int i = 0; i < 3; i++) {
        assertThat(calls.post("/v2/echo/run", KEY, "{\"input\": 1}").status()).isEqualTo(200);
      }
      Reply limited = calls.post("/v2/echo/run", KEY, "{\"input\": 1}");
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.raw().headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
          assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
      assertThat(limited.text("error")).contains("3 requests");
      assertThat(calls.post("/v2/echo/run", OTHER_KEY, "{\"input\": 1}").status()).as("an unknown key").isEqualTo(401);
      for (int i = 0; i < 150; i++) {
        assertThat(calls.get("/v2/echo/health", KEY).status()).as("health is off: call " + i).isEqualTo(200);
      }
    }
  }

  @Test
  void theHeaderSizeLimitIsAnOptionOfTheListener() {
    try (TestServer small = TestServer.start(ServerOptions.of("127.0.0.1", 0).withMaxHeaderSize(4 * 1024).withIdleTimeoutSeconds(30));
        TestServer normal = TestServer.start()) {
      String filler = "f".repeat(6 * 1024);
      HttpRequest.Builder request = HttpRequest.newBuilder().header("X-Filler", filler).GET();
      Reply refused = small.send(request.copy().uri(small.uri("/ping")).build());
      Reply served = normal.send(request.copy().uri(normal.uri("/ping")).build());
      assertThat(refused.status()).as("6 KB of headers with a 4 KB limit").isEqualTo(431);
      assertThat(served.status()).as("6 KB of headers with the default 16 KB limit").isEqualTo(200);
    }
  }
}
