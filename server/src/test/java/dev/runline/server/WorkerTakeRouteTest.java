package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code job-take} and {@code job-take-batch} over HTTP, as the worker library calls them. */
class WorkerTakeRouteTest {
  private RemoteFixture remote;

  @AfterEach
  void close() {
    remote.close();
  }

  @Test
  void aTakeHandsOutAQueuedJobAndItRunsOnThatWorker() {
    remote = new RemoteFixture("30s", "20s", 2);
    String id = remote.run("{\"prompt\": \"hi\"}");

    HttpFixture.Reply taken = remote.take("w1");

    assertThat(taken.status()).isEqualTo(200);
    assertThat(taken.raw().headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(taken.text("id")).isEqualTo(id);
    assertThat(taken.json().path("input").path("prompt").asText()).isEqualTo("hi");
    JsonNode status = remote.statusBody(id);
    assertThat(status.path("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(status.path("workerId").asText()).isEqualTo("w1");
  }

  @Test
  void aTakeWithNothingQueuedAnswersNoContentOnceTakeWaitPasses() {
    remote = new RemoteFixture("30s", "200ms", 2);

    HttpFixture.Reply taken = remote.take("w1");

    assertThat(taken.status()).isEqualTo(204);
    assertThat(taken.raw().body()).isEmpty();
  }

  @Test
  void aHeldTakeIsAnsweredByTheNextJobRun() {
    remote = new RemoteFixture("30s", "20s", 2);
    CompletableFuture<HttpFixture.Reply> waiting = remote.takeAsync("w1");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> remote.health().json().path("workers").path("idle").asInt() == 1);
    assertThat(waiting).isNotDone();

    String id = remote.run("{\"n\": 1}");

    HttpFixture.Reply taken = waiting.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(taken.status()).isEqualTo(200);
    assertThat(taken.text("id")).isEqualTo(id);
  }

  @Test
  void aBatchTakeGetsAListOfAtMostMaxBatchJobs() {
    remote = new RemoteFixture("30s", "20s", 2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(remote.run("{\"n\": " + i + "}"));
    }

    HttpFixture.Reply batch = remote.server.send(remote.worker("job-take-batch/w1?x=1&batch_size=10&job_in_progress=0")
        .GET().build());

    assertThat(batch.status()).isEqualTo(200);
    assertThat(batch.json().isArray()).isTrue();
    List<String> taken = new ArrayList<>();
    batch.json().forEach(job -> taken.add(job.path("id").asText()));
    assertThat(taken).hasSize(3).isSubsetOf(ids).doesNotHaveDuplicates();
    HttpFixture.Reply second = remote.server.send(remote.worker("job-take-batch/w2?x=1&batch_size=2&job_in_progress=1")
        .GET().build());
    assertThat(second.json()).hasSize(2);
  }

  @Test
  void lowPriorityJobsAreTakenAfterTheOthers() {
    remote = new RemoteFixture("30s", "20s", 2);
    String low = remote.client("/run", "{\"input\": {}, \"policy\": {\"lowPriority\": true}}").text("id");
    String normal = remote.run("{}");

    assertThat(remote.take("w1").text("id")).isEqualTo(normal);
    assertThat(remote.take("w1").text("id")).isEqualTo(low);
  }

  @Test
  void aCancelledOrPurgedJobIsNeverHandedOut() {
    remote = new RemoteFixture("30s", "200ms", 2);
    String cancelled = remote.run("{}");
    remote.client("/cancel/" + cancelled, "{}");
    remote.run("{}");
    assertThat(remote.client("/purge-queue", "{}").json().path("removed").asInt()).isEqualTo(1);

    assertThat(remote.take("w1").status()).isEqualTo(204);
    assertThat(remote.statusBody(cancelled).path("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void aBadBatchSizeIsRefusedNamingTheParameter() {
    remote = new RemoteFixture("30s", "20s", 2);

    HttpFixture.Reply batch = remote.server.send(remote.worker("job-take-batch/w1?batch_size=lots").GET().build());

    assertThat(batch.status()).isEqualTo(400);
    assertThat(batch.text("error")).contains("batch_size");
  }
}
