package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static dev.runline.server.HttpFixture.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.server.HttpFixture.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every route of the endpoint API over real HTTP: success shapes and error codes, on one
 * server with its jobs in memory (and, in the subclasses, on Redis: one node, two nodes).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpRoutesTest {
  HttpFixture http;

  /** The server (or servers) under test. */
  HttpFixture start() {
    return new HttpFixture();
  }

  @BeforeAll
  void startServers() {
    http = start();
  }

  @AfterAll
  void stopServers() {
    http.close();
  }

  private Reply awaitTerminal(String endpoint, String id) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      String status = http.get("/v2/" + endpoint + "/status/" + id).text("status");
      return !"IN_QUEUE".equals(status) && !"IN_PROGRESS".equals(status);
    });
    return http.get("/v2/" + endpoint + "/status/" + id);
  }

  @Test
  void pingAnswersOkWithoutAKey() {
    Reply reply = http.send(HttpRequest.newBuilder(http.uri("/ping")).GET().build());
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text("status")).isEqualTo("ok");
  }

  @Test
  void runAnswersAnIdAndInQueue() {
    Reply reply = http.post("/v2/echo/run", "{\"input\": {\"prompt\": \"Your prompt\"}}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.raw().headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    assertThat(reply.text("status")).isEqualTo("IN_QUEUE");
    assertThat(UUID.fromString(reply.text("id"))).isNotNull();
    assertThat(reply.json().size()).isEqualTo(2);

    Reply done = awaitTerminal("echo", reply.text("id"));
    assertThat(done.text("status")).isEqualTo("COMPLETED");
    assertThat(done.json().path("output").path("prompt").asText()).isEqualTo("Your prompt");
    assertThat(done.json().has("delayTime")).isTrue();
    assertThat(done.json().has("executionTime")).isTrue();
    assertThat(done.json().has("error")).isFalse();
  }

  @Test
  void runSyncAnswersTheFullStatusBody() {
    Reply reply = http.post("/v2/echo/runsync", "{\"input\": {\"prompt\": \"hi\"}}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text("id")).startsWith("sync-");
    assertThat(reply.text("status")).isEqualTo("COMPLETED");
    assertThat(reply.json().path("output").path("prompt").asText()).isEqualTo("hi");
    assertThat(reply.json().path("delayTime").isIntegralNumber()).isTrue();
    assertThat(reply.json().path("executionTime").isIntegralNumber()).isTrue();
  }

  @Test
  void runSyncWhoseWaitPassesAnswersTheIdAndState() {
    Reply reply = http.post("/v2/sleep/runsync?wait=1000", "{\"input\": {\"seconds\": 30}}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text("status")).isIn("IN_QUEUE", "IN_PROGRESS");
    assertThat(reply.json().has("output")).isFalse();
    http.post("/v2/sleep/cancel/" + reply.text("id"), "");
  }

  @Test
  void aFailedJobShowsItsErrorAsAString() {
    Reply reply = http.post("/v2/fail/runsync", "{\"input\": {\"message\": \"model not loaded\"}}");
    assertThat(reply.text("status")).isEqualTo("FAILED");
    assertThat(reply.text("error")).isEqualTo("IllegalStateException: model not loaded");
  }

  @Test
  void statusSyncHoldsUntilTheJobEnds() {
    String id = http.post("/v2/echo/run", "{\"input\": \"x\"}").text("id");
    Reply reply = http.get("/v2/echo/status-sync/" + id + "?wait=5000");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.text("status")).isEqualTo("COMPLETED");
    assertThat(reply.text("output")).isEqualTo("x");
  }

  @Test
  void statusAndStatusSyncAndStreamAcceptPostToo() {
    String id = http.post("/v2/echo/runsync", "{\"input\": \"x\"}").text("id");
    assertThat(http.post("/v2/echo/status/" + id, "").status()).isEqualTo(200);
    assertThat(http.post("/v2/echo/status-sync/" + id, "").status()).isEqualTo(200);
    assertThat(http.post("/v2/echo/stream/" + id, "").status()).isEqualTo(200);
  }

  @Test
  void streamDrainsTheChunksOfAGeneratorHandler() {
    String id = http.post("/v2/tokens/run", "{\"input\": {\"prompt\": \"Hello how are you\"}}").text("id");
    List<String> words = new ArrayList<>();
    String status = "IN_QUEUE";
    for (int polls = 0; polls < 50 && !List.of("COMPLETED", "FAILED").contains(status); polls++) {
      Reply reply = http.get("/v2/tokens/stream/" + id + "?wait=2000");
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.text("id")).isEqualTo(id);
      status = reply.text("status");
      reply.json().path("stream").forEach(chunk -> {
        assertThat(chunk.path("output").path("output_tokens").asInt()).isEqualTo(1);
        assertThat(chunk.path("output").path("input_tokens").asInt()).isEqualTo(4);
        words.add(chunk.path("output").path("text").get(0).asText());
      });
    }
    assertThat(status).isEqualTo("COMPLETED");
    assertThat(words).containsExactly("Hello", "how", "are", "you");
  }

  @Test
  void streamWithEventStreamAcceptPushesChunksThenTheFinalStatus() throws Exception {
    String id = http.post("/v2/tokens/run", "{\"input\": {\"prompt\": \"one two three\", \"delayMs\": 20}}").text("id");
    HttpResponse<String> response = http.client.send(http.request("/v2/tokens/stream/" + id)
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    String body = response.body();
    assertThat(body).contains("data: {\"output\":{\"text\":[\"one\"]", "\"text\":[\"two\"]", "\"text\":[\"three\"]");
    assertThat(body).contains("event: status\ndata: {\"id\":\"" + id + "\",\"status\":\"COMPLETED\"");
    assertThat(body.indexOf("three")).isLessThan(body.indexOf("event: status"));
  }

  @Test
  void cancelAnswersCancelledAndATerminalJobsBodyUnchanged() {
    String id = http.post("/v2/sleep/run", "{\"input\": {\"seconds\": 30}}").text("id");
    Reply cancelled = http.post("/v2/sleep/cancel/" + id, "");
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.text("id")).isEqualTo(id);

    String done = http.post("/v2/echo/runsync", "{\"input\": \"y\"}").text("id");
    Reply again = http.post("/v2/echo/cancel/" + done, "");
    assertThat(again.text("status")).isEqualTo("COMPLETED");
    assertThat(again.text("output")).isEqualTo("y");
  }

  @Test
  void retryRequeuesAFailedJobAndRefusesOthersWith400() {
    String id = http.post("/v2/fail/runsync", "{\"input\": {}}").text("id");
    Reply retried = http.post("/v2/fail/retry/" + id, "");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.text("status")).isEqualTo("IN_QUEUE");
    Reply again = awaitTerminal("fail", id);
    assertThat(again.json().path("retries").asInt()).isEqualTo(1);

    String ok = http.post("/v2/echo/runsync", "{\"input\": 1}").text("id");
    Reply refused = http.post("/v2/echo/retry/" + ok, "");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.text("error")).contains("only FAILED or TIMED_OUT");
  }

  @Test
  void healthAnswersJobAndWorkerCounts() {
    http.post("/v2/echo/runsync", "{\"input\": 1}");
    Reply health = http.get("/v2/echo/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("jobs").path("completed").asLong()).isPositive();
    for (String field : List.of("completed", "failed", "inProgress", "inQueue", "retried")) {
      assertThat(health.json().path("jobs").has(field)).as(field).isTrue();
    }
    for (String field : List.of("idle", "initializing", "ready", "running", "throttled", "unhealthy")) {
      assertThat(health.json().path("workers").has(field)).as(field).isTrue();
    }
  }

  @Test
  void purgeQueueAnswersHowManyItRemoved() {
    Reply reply = http.post("/v2/echo/purge-queue", "");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("removed").isIntegralNumber()).isTrue();
    assertThat(reply.text("status")).isEqualTo("completed");
  }

  @Test
  void aBareKeyAndTheDoubledBearerOfTheServicesExamplesAreAccepted() {
    String id = http.post("/v2/echo/runsync", "{\"input\": 1}").text("id");
    for (String header : List.of(KEY, "Bearer " + KEY, "Bearer Bearer " + KEY, "bearer " + KEY)) {
      Reply reply = http.send(HttpRequest.newBuilder(http.uri("/v2/echo/status/" + id))
          .header("Authorization", header).GET().build());
      assertThat(reply.status()).as(header).isEqualTo(200);
    }
  }

  @Test
  void aMissingOrUnknownKeyIs401() {
    Reply missing = http.send(HttpRequest.newBuilder(http.uri("/v2/echo/health")).GET().build());
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.text("error")).contains("API key");
    Reply unknown = http.send(HttpRequest.newBuilder(http.uri("/v2/echo/health"))
        .header("Authorization", "Bearer not-a-key-xyz").GET().build());
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.raw().body()).doesNotContain("not-a-key-xyz");
  }

  @Test
  void anotherKeysJobIs404OnEveryJobRoute() {
    String id = http.post("/v2/sleep/run", "{\"input\": {\"seconds\": 30}}").text("id");
    for (String route : List.of("status", "status-sync", "stream", "cancel", "retry")) {
      Reply reply = http.send(HttpRequest.newBuilder(http.uri("/v2/sleep/" + route + "/" + id + "?wait=0"))
          .header("Authorization", "Bearer " + OTHER_KEY).POST(HttpRequest.BodyPublishers.noBody()).build());
      assertThat(reply.status()).as(route).isEqualTo(404);
      assertThat(reply.text("error")).as(route).isNotBlank();
    }
    http.post("/v2/sleep/cancel/" + id, "");
  }

  @Test
  void unknownEndpointsJobsAndPathsAre404WithAJsonError() {
    assertThat(http.post("/v2/nope/run", "{\"input\": 1}").status()).isEqualTo(404);
    assertThat(http.get("/v2/echo/status/" + UUID.randomUUID()).status()).isEqualTo(404);
    Reply path = http.get("/v3/whatever");
    assertThat(path.status()).isEqualTo(404);
    assertThat(path.text("error")).contains("no route");
  }

  @ParameterizedTest
  @ValueSource(strings = {"DELETE /v2/echo/run", "GET /v2/echo/run", "GET /v2/echo/runsync", "PUT /v2/echo/status/x",
      "GET /v2/echo/cancel/x", "POST /v2/echo/health", "GET /v2/echo/purge-queue", "GET /v2/echo/retry/x"})
  void aWrongMethodIs405WithAllowAndAJsonError(String call) {
    String[] parts = call.split(" ");
    Reply reply = http.send(http.request(parts[1]).method(parts[0], HttpRequest.BodyPublishers.noBody()).build());
    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.raw().headers().firstValue("allow")).isPresent();
    assertThat(reply.text("error")).contains("not allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"input\": 1", "not json", "[1,2]", "{\"input\": 1} trailing", "{\"input\": 1, \"input\": 2}",
      "{\"policy\": {\"ttl\": 1}, \"input\": 1}", "{\"input\": 1, \"policy\": {\"executionTimeout\": \"soon\"}}",
      "{\"input\": 1, \"policy\": {\"lowPriority\": \"yes\"}}", "{\"input\": 1, \"policy\": 5}",
      "{\"input\": 1, \"webhook\": 7}", "{\"input\": 1, \"webhook\": \"ftp://x/y\"}", "{\"input\": null}", "{}", ""})
  void aMalformedOrInvalidBodyIs400WithAMessage(String body) {
    Reply reply = http.post("/v2/echo/run", body);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.text("error")).isNotBlank().doesNotContain("Exception").doesNotContain("at dev.");
  }

  @Test
  void deeplyNestedJsonIs400NotAStackOverflow() {
    String deep = "{\"input\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    Reply reply = http.post("/v2/echo/run", deep);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.text("error")).contains("nesting");
  }

  @Test
  void aRunBodyOver10MbIs413AndARunSyncBodyUpTo20MbIsAccepted() {
    String big = "{\"input\": \"" + "x".repeat(11 * 1024 * 1024) + "\"}";
    Reply run = http.post("/v2/echo/run", big);
    assertThat(run.status()).isEqualTo(413);
    assertThat(run.text("error")).contains("10 MB");

    Reply runSync = http.post("/v2/echo/runsync", big);
    assertThat(runSync.status()).isEqualTo(200);
    Reply tooBig = http.post("/v2/echo/runsync", "{\"input\": \"" + "x".repeat(21 * 1024 * 1024) + "\"}");
    assertThat(tooBig.status()).isEqualTo(413);
  }

  @Test
  void aBadWaitParameterIs400() {
    Reply reply = http.post("/v2/echo/runsync?wait=soon", "{\"input\": 1}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.text("error")).contains("wait");
  }

  @Test
  void theTtlParameterOfStatusShortensRetention() {
    String id = http.post("/v2/echo/runsync", "{\"input\": 1}").text("id");
    Reply badTtl = http.get("/v2/echo/status/" + id + "?ttl=zero");
    assertThat(badTtl.status()).isEqualTo(400);
    assertThat(badTtl.text("error")).contains("ttl");
    assertThat(http.get("/v2/echo/status/" + id + "?ttl=1").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v2/echo/status/" + id).status() == 404);
  }

  @Test
  void twoHundredConcurrentLongPollsAreServedWithoutAThreadEach() throws Exception {
    String id = http.post("/v2/gated/run", "{\"input\": \"held\"}").text("id");
    long threadsBefore = serverThreads();
    List<CompletableFuture<Reply>> polls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      polls.add(http.sendAsync(http.request("/v2/gated/status-sync/" + id + "?wait=30000").GET().build()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> http.engine.as(KEY).endpoint("gated").health().jobs().inProgress() == 1);
    assertThat(polls).noneMatch(CompletableFuture::isDone);
    assertThat(serverThreads() - threadsBefore).as("server threads added by 200 waiting clients").isLessThanOrEqualTo(2);

    http.gate.countDown();
    CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (CompletableFuture<Reply> poll : polls) {
      assertThat(poll.join().status()).isEqualTo(200);
      assertThat(poll.join().text("status")).isEqualTo("COMPLETED");
    }
  }

  private static long serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("vert.x-") || t.getName().startsWith("runline-"))
        .count();
  }

  @Test
  void metricsArePrometheusText() {
    http.post("/v2/echo/runsync", "{\"input\": 1}");
    Reply metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build());
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.raw().body())
        .contains("runline_jobs_ended_total{endpoint=\"echo\",status=\"COMPLETED\"}")
        .contains("runline_queue_depth{endpoint=\"echo\"}")
        .contains("runline_job_execution_seconds_bucket")
        .contains("runline_webhooks_delivered_total")
        .contains("runline_webhooks_abandoned_total");
  }
}
