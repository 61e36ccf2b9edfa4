package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code job-stop} and {@code ping} over HTTP: a cancel or an execution timeout tells the
 * worker to stop, heartbeats keep a lease, and a worker that takes a job and dies loses it to
 * another, until the job fails naming the lost worker.
 */
class WorkerStopsAndLeasesTest {
  private RemoteFixture remote;

  @AfterEach
  void close() {
    remote.close();
  }

  @Test
  void cancelOfARunningRemoteJobSendsTheWorkerAStopAndEndsItCancelledAtOnce() {
    remote = new RemoteFixture("30s", "20s", 2);
    String id = remote.run("{}");
    remote.take("w1");
    CompletableFuture<HttpFixture.Reply> stops = remote.stopsAsync("w1");

    assertThat(remote.client("/cancel/" + id, "{}").text("status")).isEqualTo("CANCELLED");

    HttpFixture.Reply stop = stops.orTimeout(20, TimeUnit.SECONDS).join();
    assertThat(stop.status()).isEqualTo(200);
    assertThat(stop.json().path("jobsToStop")).hasSize(1);
    assertThat(stop.json().path("jobsToStop").get(0).asText()).isEqualTo(id);
  }

  @Test
  void aStopRequestWithNothingToStopAnswersNoContentOnceTakeWaitPasses() {
    remote = new RemoteFixture("30s", "200ms", 2);

    HttpFixture.Reply stop = remote.stopsAsync("w1").orTimeout(20, TimeUnit.SECONDS).join();

    assertThat(stop.status()).isEqualTo(204);
  }

  @Test
  void anExecutionTimeoutTellsTheWorkerToStopAndTheJobEndsTimedOut() {
    remote = new RemoteFixture("30s", "20s", 2);
    String id = remote.client("/run", "{\"input\": {}, \"policy\": {\"executionTimeout\": 5000}}").text("id");
    remote.take("w1");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpFixture.Reply stop = remote.stopsAsync("w1").orTimeout(25, TimeUnit.SECONDS).join();
      assertThat(stop.json().path("jobsToStop").toString()).contains(id);
    });
    assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("TIMED_OUT");
    assertThat(remote.done("w1", id, false, "{\"output\": \"late\"}").text("status")).isEqualTo("ignored");
  }

  @Test
  void aWorkerThatTakesAndDiesLosesTheJobToAnotherThenTheJobFailsNamingTheLostWorker() {
    remote = new RemoteFixture("300ms", "20s", 1);
    String id = remote.run("{}");
    assertThat(remote.take("w-dies-first").text("id")).isEqualTo(id);

    await().atMost(Duration.ofSeconds(20))
        .until(() -> remote.statusBody(id).path("status").asText().equals("IN_QUEUE"));
    assertThat(remote.statusBody(id).path("redeliveries").asInt()).isEqualTo(1);
    assertThat(remote.take("w-dies-too").text("id")).isEqualTo(id);

    await().atMost(Duration.ofSeconds(20))
        .until(() -> remote.statusBody(id).path("status").asText().equals("FAILED"));
    JsonNode failed = remote.statusBody(id);
    assertThat(failed.path("error").asText()).contains("w-dies-too").contains("maxRedeliveries");
    HttpFixture.Reply lateFromFirst = remote.done("w-dies-first", id, false, "{\"output\": \"back\"}");
    assertThat(lateFromFirst.text("status")).isEqualTo("ignored");
    assertThat(remote.server.get("/metrics", null).raw().body())
        .contains("runline_remote_redeliveries_total{endpoint=\"remote\"} 1.0")
        .contains("runline_remote_workers_lost_total{endpoint=\"remote\"} 2.0");
  }

  @Test
  void aWorkerWhoseJobWasTakenBackIsRefusedAndToldToStop() {
    remote = new RemoteFixture("300ms", "20s", 2);
    String id = remote.run("{}");
    remote.take("w-slow");
    await().atMost(Duration.ofSeconds(20))
        .until(() -> remote.statusBody(id).path("status").asText().equals("IN_QUEUE"));
    remote.take("w-next");

    HttpFixture.Reply stale = remote.done("w-slow", id, false, "{\"output\": \"mine?\"}");

    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.text("error")).contains("w-next");
    HttpFixture.Reply stop = remote.stopsAsync("w-slow").orTimeout(20, TimeUnit.SECONDS).join();
    assertThat(stop.json().path("jobsToStop").toString()).contains(id);
    assertThat(remote.done("w-next", id, false, "{\"output\": \"done\"}").status()).isEqualTo(200);
    assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("COMPLETED");
  }

  @Test
  void heartbeatsNamingTheJobKeepItsLeaseFarPastTheLeaseTimeout() {
    remote = new RemoteFixture("1s", "20s", 0);
    String id = remote.run("{}");
    remote.take("w1");
    long renewals = 0;
    // Until the lease timeout has passed three times over on the server's own clock, the
    // worker pings as the library does (job_id comma-separated, runpod_version beside it).
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) {
      assertThat(remote.ping("w1", "job_id=" + id + ",&runpod_version=1.12.0").status()).isEqualTo(200);
      renewals++;
    }

    assertThat(renewals).isPositive();
    JsonNode running = remote.statusBody(id);
    assertThat(running.path("status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(running.path("workerId").asText()).isEqualTo("w1");
    assertThat(remote.done("w1", id, false, "{\"output\": 1}").text("status")).isEqualTo("accepted");
    assertThat(remote.statusBody(id).path("redeliveries").asInt()).isZero();
  }
}
