package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static dev.runline.server.HttpFixture.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.server.HttpFixture.Reply;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v2/{endpoint_id}/requests} (a key's recent jobs, newest first, paged; or
 * followed as server-sent events) and {@code GET /v2/{endpoint_id}/requests/{job_id}} (one
 * job as the dashboard shows it) over real HTTP, on one server with its jobs in memory (and,
 * in the subclass, on two servers sharing one Redis).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestsRoutesTest {
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

  private String runSync(String endpoint, String key, String input) {
    return http.test().post("/v2/" + endpoint + "/runsync", key, "{\"input\": " + input + "}").text("id");
  }

  private static List<String> ids(JsonNode page) {
    return StreamSupport.stream(page.path("jobs").spliterator(), false).map(j -> j.path("id").asText()).toList();
  }

  @Test
  void theListingIsTheKeysJobsNewestFirstAsStatusBodiesPagedByACursor() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(runSync("open", KEY, "{\"n\": " + i + "}"));
    }
    runSync("open", OTHER_KEY, "{\"theirs\": true}");

    Reply first = http.get("/v2/open/requests?limit=2");
    Reply second = http.get("/v2/open/requests?limit=2&cursor=" + first.text("nextCursor"));

    assertThat(first.status()).isEqualTo(200);
    assertThat(ids(first.json())).containsExactly(ids.get(2), ids.get(1));
    JsonNode newest = first.json().path("jobs").get(0);
    assertThat(newest.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(newest.path("output").path("n").asInt()).isEqualTo(2);
    assertThat(newest.has("input")).isFalse();
    assertThat(ids(second.json())).startsWith(ids.get(0));
    assertThat(second.json().path("jobs").toString()).doesNotContain("theirs");
  }

  @Test
  void aStatusFilterKeepsOnlyThoseStatuses() {
    String failed = runSync("fail", KEY, "{\"message\": \"listed\"}");

    Reply reply = http.get("/v2/fail/requests?status=failed,TIMED_OUT");

    assertThat(ids(reply.json())).contains(failed);
    assertThat(reply.json().path("jobs")).allMatch(j -> j.path("status").asText().equals("FAILED"));
    assertThat(http.get("/v2/fail/requests?status=COMPLETED").json().path("jobs")).isEmpty();
  }

  @Test
  void badQueryValuesAre400sNamingTheParameterAndWhatIsAllowed() {
    Reply status = http.get("/v2/open/requests?status=DONE");
    Reply limit = http.get("/v2/open/requests?limit=1000");
    Reply notANumber = http.get("/v2/open/requests?limit=ten");
    Reply cursor = http.get("/v2/open/requests?cursor=abc");

    assertThat(status.status()).isEqualTo(400);
    assertThat(status.text("error")).contains("status must be one or more of IN_QUEUE").contains("'DONE'");
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.text("error")).contains("limit must be a whole number from 1 to 500, was 1000");
    assertThat(notANumber.status()).isEqualTo(400);
    assertThat(notANumber.text("error")).contains("'ten'");
    assertThat(cursor.status()).isEqualTo(400);
    assertThat(cursor.text("error")).contains("nextCursor");
  }

  @Test
  void withoutAValidKeyTheListingIs401() {
    Reply reply = http.send(HttpRequest.newBuilder(http.uri("/v2/open/requests")).GET().build());

    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.text("error")).contains("API key");
  }

  @Test
  void theListingHasItsOwnRateLimitOfTenCallsPerTenSeconds() {
    List<Integer> codes = new ArrayList<>();
    Reply refused = null;
    for (int i = 0; i < 11; i++) {
      Reply reply = http.test().get("/v2/tokens/requests", OTHER_KEY);
      codes.add(reply.status());
      refused = reply;
    }

    assertThat(codes.subList(0, 10)).containsOnly(200);
    assertThat(codes.get(10)).isEqualTo(429);
    assertThat(refused.raw().headers().firstValue("retry-after")).isPresent();
    assertThat(refused.text("error")).contains("/requests");
  }

  @Test
  void anOutputTooLargeToListIsLeftOutWithItsSize() {
    String big = "x".repeat(RequestsApi.LISTED_OUTPUT_BYTES + 10);
    String id = runSync("open", KEY, "\"" + big + "\"");

    JsonNode listed = http.get("/v2/open/requests?limit=1").json().path("jobs").get(0);

    assertThat(listed.path("id").asText()).isEqualTo(id);
    assertThat(listed.has("output")).isFalse();
    assertThat(listed.path("outputBytes").asLong()).isEqualTo(big.length() + 2);
  }

  @Test
  void aJobsDetailsHaveItsInputTimelineStreamAndValuesCutToABrowsersSize() {
    String prompt = "y".repeat(RequestsApi.DETAIL_BYTES * 2);
    String id = runSync("open", KEY, "{\"prompt\": \"" + prompt + "\"}");
    String streamed = runSync("tokens", KEY, "{\"prompt\": \"one two\"}");

    JsonNode details = http.get("/v2/open/requests/" + id).json();
    JsonNode tokens = http.get("/v2/tokens/requests/" + streamed).json();

    assertThat(details.path("status").path("status").asText()).isEqualTo("COMPLETED");
    assertThat(details.path("input").path("truncated").asBoolean()).isTrue();
    assertThat(details.path("input").path("bytes").asLong()).isEqualTo(prompt.length() + 13);
    assertThat(details.path("input").path("json").asText().length()).isLessThanOrEqualTo(RequestsApi.DETAIL_BYTES);
    assertThat(details.path("output").path("truncated").asBoolean()).isTrue();
    JsonNode timeline = details.path("timeline");
    assertThat(timeline.path("queuedAt").asLong()).isPositive()
        .isLessThanOrEqualTo(timeline.path("startedAt").asLong());
    assertThat(timeline.path("startedAt").asLong()).isLessThanOrEqualTo(timeline.path("endedAt").asLong());
    assertThat(tokens.path("stream").path("count").asInt()).isEqualTo(2);
    assertThat(tokens.path("stream").path("chunks").get(1).path("json").asText()).contains("two");
    assertThat(http.test().get("/v2/open/requests/" + id, OTHER_KEY).status()).as("another key's job").isEqualTo(404);
  }

  @Test
  void aFollowedListingPushesThePageAgainWhenAJobArrives() throws Exception {
    HttpRequest request = http.request("/v2/echo/requests?limit=5").header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(60)).GET().build();
    HttpResponse<InputStream> response = http.client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/event-stream"));
      assertThat(nextPage(events)).isNotNull();

      String id = http.post("/v2/echo/run", "{\"input\": {\"followed\": true}}").text("id");

      CompletableFuture<JsonNode> withTheJob = CompletableFuture.supplyAsync(() -> {
        while (true) {
          JsonNode page = nextPage(events);
          if (page == null || ids(page).contains(id)) {
            return page;
          }
        }
      });
      JsonNode page = withTheJob.get(30, TimeUnit.SECONDS);
      assertThat(page).as("a page with the new job").isNotNull();
      assertThat(ids(page).get(0)).isEqualTo(id);
    } finally {
      response.body().close();
    }
  }

  /** The data of the next {@code page} event, or null at the end of the stream. */
  private static JsonNode nextPage(BufferedReader events) {
    try {
      String event = null;
      for (String line; (line = events.readLine()) != null; ) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ") && "page".equals(event)) {
          return JobRequests.MAPPER.readTree(line.substring(6));
        }
      }
      return null;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theListingIsOneOfTheRoutesTheUnknownPathMessageNames() {
    Reply reply = http.get("/v2/open/unknown");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.text("error")).contains("/requests");
  }
}
