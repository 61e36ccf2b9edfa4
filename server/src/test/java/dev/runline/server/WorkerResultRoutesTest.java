package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code job-done} and {@code job-stream} over HTTP, with the bodies the worker library sends
 * (JSON text under a form content type), mapped onto the job as the service maps them.
 */
class WorkerResultRoutesTest {
  private RemoteFixture remote;

  @BeforeEach
  void start() {
    remote = new RemoteFixture("30s", "20s", 2);
  }

  @AfterEach
  void close() {
    remote.close();
  }

  private String taken(String worker) {
    String id = remote.run("{\"prompt\": \"hi\"}");
    assertThat(remote.take(worker).text("id")).isEqualTo(id);
    return id;
  }

  @Test
  void aFormEncodedJsonResultCompletesTheJobWithItsOutput() {
    String id = taken("w1");

    HttpFixture.Reply done = remote.done("w1", id, false, "{\"output\": {\"text\": \"100% done & more=yes\"}}");

    assertThat(done.status()).isEqualTo(200);
    assertThat(done.text("status")).isEqualTo("accepted");
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(status.path("output").path("text").asText()).isEqualTo("100% done & more=yes");
    assertThat(status.path("workerId").asText()).isEqualTo("w1");
  }

  @Test
  void anErrorFailsTheJobAndKeepsTheOutputSentWithIt() {
    String id = taken("w1");

    remote.done("w1", id, false, "{\"output\": {\"partial\": 1}, \"error\": \"the model ran out of memory\"}");

    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("FAILED");
    assertThat(status.path("error").asText()).isEqualTo("the model ran out of memory");
    assertThat(status.path("output").path("partial").asInt()).isEqualTo(1);
  }

  @Test
  void aHandlerExceptionsDetailsAreKeptAsTheJobsErrorString() {
    String id = taken("w1");
    String details = "{\"error_type\": \"<class 'ValueError'>\", \"error_message\": \"bad prompt\", "
        + "\"error_traceback\": \"Traceback ...\", \"hostname\": \"pod-1\", \"worker_id\": \"w1\"}";

    remote.done("w1", id, false, "{\"error\": " + JobRequests.MAPPER.valueToTree(details) + ", \"stopPod\": true}");

    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("FAILED");
    assertThat(status.path("error").asText()).isEqualTo(details);
  }

  @Test
  void progressIsShownWhileTheJobRunsAndALateUpdateAfterTheResultIsIgnored() {
    String id = taken("w1");

    HttpFixture.Reply progress = remote.done("w1", id, false, "{\"status\": \"IN_PROGRESS\", \"output\": \"50%\"}");
    assertThat(progress.status()).isEqualTo(200);
    JsonNode running = remote.statusBody(id);
    assertThat(running.path("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(running.path("output").asText()).isEqualTo("50%");

    remote.done("w1", id, false, "{\"output\": \"finished\"}");
    HttpFixture.Reply late = remote.done("w1", id, false, "{\"status\": \"IN_PROGRESS\", \"output\": \"90%\"}");

    assertThat(late.status()).isEqualTo(200);
    assertThat(late.text("status")).isEqualTo("ignored");
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(status.path("output").asText()).isEqualTo("finished");
  }

  @Test
  void streamedChunksAreReadableThroughStreamAndTheStreamedFinalOutputEndsTheJob() {
    String id = taken("w1");

    assertThat(remote.chunk("w1", id, "{\"output\": \"one\"}").status()).isEqualTo(200);
    assertThat(remote.chunk("w1", id, "{\"output\": \"two\"}").status()).isEqualTo(200);
    HttpFixture.Reply partial = remote.server.get("/v2/remote/stream/" + id, RemoteFixture.KEY);
    assertThat(partial.json().path("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(partial.json().path("stream").findValuesAsText("output")).containsExactly("one", "two");

    remote.done("w1", id, true, "{\"output\": [\"one\", \"two\"]}");

    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(status.path("output").findValuesAsText("output")).isEmpty();
    assertThat(status.path("output")).hasSize(2);
    assertThat(status.path("output").get(0).asText()).isEqualTo("one");
  }

  @Test
  void serverSentEventsCarryARemoteJobsChunksAndItsEnd() {
    String id = taken("w1");
    var events = remote.async(remote.server.request("/v2/remote/stream/" + id, RemoteFixture.KEY)
        .header("Accept", "text/event-stream").GET().build());

    remote.chunk("w1", id, "{\"output\": \"alpha\"}");
    remote.done("w1", id, true, "{\"output\": [\"alpha\"]}");

    String body = events.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join().raw().body();
    assertThat(body).contains("data: {\"output\":\"alpha\"}").contains("event: status").contains("COMPLETED");
  }

  @Test
  void aResultSentThreeTimesIsAcknowledgedEachTimeAndEndsTheJobOnce() {
    String id = taken("w1");

    for (int i = 0; i < 3; i++) {
      assertThat(remote.done("w1", id, false, "{\"output\": " + i + "}").status()).isEqualTo(200);
    }

    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(status.path("output").asInt()).isEqualTo(0);
    assertThat(remote.health().json().path("jobs").path("completed").asInt()).isEqualTo(1);
  }

  @Test
  void aResultFromAWorkerThatDoesNotHoldTheJobIsRefusedAndChangesNothing() {
    String id = taken("w1");

    HttpFixture.Reply intruder = remote.done("w2", id, false, "{\"output\": \"not mine\"}");

    assertThat(intruder.status()).isEqualTo(409);
    assertThat(intruder.text("error")).contains("w2").contains("does not hold");
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(status.path("workerId").asText()).isEqualTo("w1");
    assertThat(remote.chunk("w2", id, "{\"output\": \"x\"}").status()).isEqualTo(409);
  }

  @Test
  void aResultForACancelledJobIsAcknowledgedAndIgnored() {
    String id = taken("w1");
    assertThat(remote.client("/cancel/" + id, "{}").text("status")).isEqualTo("CANCELLED");

    HttpFixture.Reply late = remote.done("w1", id, false, "{\"output\": \"too late\"}");

    assertThat(late.status()).isEqualTo(200);
    assertThat(late.text("status")).isEqualTo("ignored");
    assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void aBodyThatIsNotAJsonObjectIsRefusedNamingTheRoute() {
    String id = taken("w1");

    HttpFixture.Reply notJson = remote.done("w1", id, false, "output=done");
    HttpFixture.Reply noOutput = remote.chunk("w1", id, "{\"chunk\": 1}");

    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.text("error")).isNotBlank();
    assertThat(noOutput.status()).isEqualTo(400);
    assertThat(noOutput.text("error")).contains("job-stream").contains("output");
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("IN_PROGRESS"));
  }

  @Test
  void aGeneratorsErrorSentToTheStreamRouteFailsTheJob() {
    String id = taken("w1");
    remote.chunk("w1", id, "{\"output\": \"partial\"}");

    HttpFixture.Reply error = remote.chunk("w1", id, "{\"error\": \"handler: boom \\ntraceback: ...\"}");

    assertThat(error.status()).isEqualTo(200);
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("FAILED");
    assertThat(status.path("error").asText()).startsWith("handler: boom");
  }

  @Test
  void aFailedRemoteJobRetriedIsTakenAgainAndCanComplete() {
    String id = taken("w1");
    remote.done("w1", id, false, "{\"error\": \"transient\"}");

    assertThat(remote.client("/retry/" + id, "{}").text("status")).isEqualTo("IN_QUEUE");

    assertThat(remote.take("w2").text("id")).isEqualTo(id);
    remote.done("w2", id, false, "{\"output\": \"second time\"}");
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(status.path("retries").asInt()).isEqualTo(1);
    assertThat(status.path("workerId").asText()).isEqualTo("w2");
  }
}
