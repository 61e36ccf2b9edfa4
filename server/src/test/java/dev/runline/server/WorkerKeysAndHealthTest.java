package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Worker keys kept apart from client keys, and remote workers as {@code /health} and
 * {@code /metrics} show them.
 */
class WorkerKeysAndHealthTest {
  private RemoteFixture remote;

  @AfterEach
  void close() {
    if (remote != null) {
      remote.close();
    }
  }

  @Test
  void aClientKeyCannotTakeJobsAndAWorkerKeyCannotCallClientRoutes() {
    remote = new RemoteFixture("30s", "200ms", 2);
    String id = remote.run("{}");

    HttpFixture.Reply clientTakes = remote.server.send(HttpRequest.newBuilder(
        remote.server.uri("/v2/remote/job-take/w1?job_in_progress=0")).header("Authorization", RemoteFixture.KEY)
        .GET().build());
    HttpFixture.Reply noKey = remote.server.send(HttpRequest.newBuilder(
        remote.server.uri("/v2/remote/job-take/w1?job_in_progress=0")).GET().build());
    HttpFixture.Reply workerRuns = remote.server.post("/v2/remote/run", RemoteFixture.WORKER_KEY, "{\"input\": {}}");
    HttpFixture.Reply workerReads = remote.server.get("/v2/remote/status/" + id, RemoteFixture.WORKER_KEY);

    assertThat(clientTakes.status()).isEqualTo(401);
    assertThat(clientTakes.text("error")).contains("worker key").doesNotContain(RemoteFixture.KEY);
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(workerRuns.status()).isEqualTo(401);
    assertThat(workerReads.status()).isEqualTo(401);
    assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("IN_QUEUE");
  }

  @Test
  void aWorkerKeySentWithBearerIsAcceptedToo() {
    remote = new RemoteFixture("30s", "200ms", 2);
    remote.run("{}");

    HttpFixture.Reply taken = remote.server.send(HttpRequest.newBuilder(
        remote.server.uri("/v2/remote/job-take/w1?job_in_progress=0"))
        .header("Authorization", "Bearer " + RemoteFixture.WORKER_KEY).GET().build());

    assertThat(taken.status()).isEqualTo(200);
  }

  @Test
  void withoutWorkerKeysNoWorkerMayTakeJobsAndTheRefusalSaysHowToConfigureOne() {
    remote = new RemoteFixture(ServerOptions.of("127.0.0.1", 0), endpoint -> { });
    remote.run("{}");

    HttpFixture.Reply taken = remote.take("w1");

    assertThat(taken.status()).isEqualTo(401);
    assertThat(taken.text("error")).contains("--worker-key").contains("workerKeys");
  }

  @Test
  void workerRoutesOfAnEndpointThatRunsItsOwnJobsAreNotFound() {
    remote = new RemoteFixture("30s", "200ms", 2);

    HttpFixture.Reply taken = remote.server.send(HttpRequest.newBuilder(
        remote.server.uri("/v2/echo/job-take/w1?job_in_progress=0")).header("Authorization", RemoteFixture.WORKER_KEY)
        .GET().build());
    HttpFixture.Reply unknown = remote.server.send(HttpRequest.newBuilder(
        remote.server.uri("/v2/nowhere/job-take/w1")).header("Authorization", RemoteFixture.WORKER_KEY).GET().build());

    assertThat(taken.status()).isEqualTo(404);
    assertThat(taken.text("error")).contains("echo").contains("remote");
    assertThat(unknown.status()).isEqualTo(404);
  }

  @Test
  void aWorkerIsRunningWhileItHoldsJobsIdleWhileItPollsAndUnhealthyWhenItSaysSo() {
    remote = new RemoteFixture("30s", "20s", 2);
    String id = remote.run("{}");
    remote.take("w-busy");
    CompletableFuture<HttpFixture.Reply> polling = remote.takeAsync("w-idle");
    remote.ping("w-sick", "job_id=&runpod_version=1.12.0&status=unhealthy&check=gpu&reason=no+CUDA+device");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode workers = remote.health().json().path("workers");
      assertThat(workers.path("running").asInt()).isEqualTo(1);
      assertThat(workers.path("idle").asInt()).isEqualTo(1);
      assertThat(workers.path("unhealthy").asInt()).isEqualTo(1);
    });

    remote.done("w-busy", id, false, "{\"output\": 1}");
    JsonNode workers = remote.health().json().path("workers");
    assertThat(workers.path("running").asInt()).isZero();
    assertThat(workers.path("idle").asInt()).isEqualTo(2);
    assertThat(polling).isNotDone();
  }

  @Test
  void aWorkerSilentForTheLeaseTimeoutIsGoneFromHealth() {
    remote = new RemoteFixture("300ms", "200ms", 2);
    remote.ping("w1", "job_id=&runpod_version=1.12.0");
    assertThat(remote.health().json().path("workers").path("idle").asInt()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(20))
        .until(() -> remote.health().json().path("workers").path("idle").asInt() == 0);
  }

  @Test
  void metricsCountTakesAndResultsPerEndpoint() {
    remote = new RemoteFixture("30s", "20s", 2);
    for (int i = 0; i < 2; i++) {
      String id = remote.run("{}");
      remote.take("w1");
      remote.done("w1", id, false, "{\"output\": " + i + "}");
    }

    String metrics = remote.server.get("/metrics", null).raw().body();

    assertThat(metrics).contains("runline_remote_takes_total{endpoint=\"remote\"} 2.0")
        .contains("runline_remote_results_total{endpoint=\"remote\"} 2.0")
        .contains("runline_workers_idle{endpoint=\"remote\"}")
        .contains("runline_workers_unhealthy{endpoint=\"remote\"}");
    assertThat(List.of(metrics.split("\n"))).noneMatch(line -> line.contains(RemoteFixture.WORKER_KEY));
  }

  @Test
  void aWorkerTakingFasterThanMaxTakeRateIsThrottledWithRetryAfter() {
    remote = new RemoteFixture(ServerOptions.of("127.0.0.1", 0).withWorkerKeys(List.of(RemoteFixture.WORKER_KEY)),
        endpoint -> endpoint.backendSetting("takeWait", "0ms").backendSetting("maxTakeRate", 1));

    HttpFixture.Reply refused = null;
    for (int i = 0; i < 5 && refused == null; i++) {
      HttpFixture.Reply taken = remote.take("w-eager");
      if (taken.status() == 429) {
        refused = taken;
      } else {
        assertThat(taken.status()).isEqualTo(204);
      }
    }

    assertThat(refused).as("a take refused within five at 1 a second").isNotNull();
    assertThat(refused.text("error")).contains("maxTakeRate");
    assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
    assertThat(remote.health().json().path("workers").path("throttled").asInt()).isEqualTo(1);
  }
}
