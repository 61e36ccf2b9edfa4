package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker processes written from the worker protocol ({@code src/test/python/protocol_worker.py},
 * Python's standard library only) serve a {@code remote} endpoint end to end through the client
 * routes: run, runsync, stream, progress, failure, cancel, execution timeout, a worker killed
 * mid-job, and 200 jobs over 4 processes each run once. Fails, naming what is missing, when
 * {@code python3} is not on the PATH.
 */
class RemoteWorkerProcessTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir
  Path logs;
  private RemoteFixture remote;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void start() {
    remote = new RemoteFixture("3s", "2s", 2);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    remote.close();
  }

  /** Starts a worker process with the environment the service's worker library reads. */
  static Process startWorker(String baseUrl, String endpoint, String id, String key, Path logs) throws IOException {
    Path script = ProtocolWorker.script();
    String at = baseUrl + "/v2/" + endpoint + "/";
    ProcessBuilder builder = new ProcessBuilder(ProtocolWorker.python(), script.toString())
        .redirectErrorStream(true).redirectOutput(logs.resolve(id + ".out").toFile());
    Map<String, String> env = builder.environment();
    env.put("RUNPOD_WEBHOOK_GET_JOB", at + "job-take/$ID?gpu=test");
    env.put("RUNPOD_WEBHOOK_POST_OUTPUT", at + "job-done/$RUNPOD_POD_ID/$ID?gpu=test");
    env.put("RUNPOD_WEBHOOK_POST_STREAM", at + "job-stream/$RUNPOD_POD_ID/$ID?gpu=test");
    env.put("RUNPOD_WEBHOOK_PING", at + "ping/$RUNPOD_POD_ID?gpu=test");
    env.put("RUNPOD_PING_INTERVAL", "500");
    env.put("RUNPOD_AI_API_KEY", key);
    env.put("RUNPOD_POD_ID", id);
    env.put("RUNLINE_TEST_LOG", logs.resolve(id + ".log").toString());
    return builder.start();
  }

  private Process worker(String id) throws IOException {
    Process process = startWorker("http://127.0.0.1:" + remote.port(), RemoteFixture.ENDPOINT, id,
        RemoteFixture.WORKER_KEY, logs);
    processes.add(process);
    return process;
  }

  private List<String> logOf(String worker) throws IOException {
    Path log = logs.resolve(worker + ".log");
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  private JsonNode awaitStatus(String id, String status) {
    await().atMost(LONG).until(() -> remote.statusBody(id).path("status").asText().equals(status));
    return remote.statusBody(id);
  }

  @Test
  void aRunIsTakenStreamedAndCompletedByAWorkerProcess() throws IOException {
    worker("w1");

    String id = remote.run("{\"mode\": \"stream\", \"words\": [\"serverless\", \"on\", \"runline\"]}");

    JsonNode done = awaitStatus(id, "COMPLETED");
    assertThat(done.path("workerId").asText()).isEqualTo("w1");
    assertThat(done.path("output").toString()).isEqualTo("[\"serverless\",\"on\",\"runline\"]");
    HttpFixture.Reply stream = remote.server.get("/v2/remote/stream/" + id, RemoteFixture.KEY);
    assertThat(stream.json().path("stream").findValuesAsText("output")).containsExactly("serverless", "on", "runline");
    assertThat(logOf("w1")).containsExactly("ran " + id);
  }

  @Test
  void runsyncAnswersWithTheWorkerProcessesOutput() throws IOException {
    worker("w1");

    HttpFixture.Reply reply = remote.client("/runsync?wait=60000", "{\"input\": {\"mode\": \"echo\", \"n\": 7}}");

    assertThat(reply.text("status")).isEqualTo("COMPLETED");
    assertThat(reply.json().path("output").path("n").asInt()).isEqualTo(7);
  }

  @Test
  void progressIsShownAndAHandlerExceptionFailsTheJobWithItsDetails() throws IOException {
    worker("w1");

    String progressing = remote.run("{\"mode\": \"progress\", \"steps\": 3}");
    String failing = remote.run("{\"mode\": \"fail\", \"message\": \"prompt too long\"}");

    assertThat(awaitStatus(progressing, "COMPLETED").path("output").path("steps").asInt()).isEqualTo(3);
    JsonNode failed = awaitStatus(failing, "FAILED");
    JsonNode details = JobRequests.MAPPER.readTree(failed.path("error").asText());
    assertThat(details.path("error_type").asText()).contains("ValueError");
    assertThat(details.path("error_message").asText()).isEqualTo("prompt too long");
    assertThat(details.path("worker_id").asText()).isEqualTo("w1");
  }

  @Test
  void cancelOfARunningRemoteJobSendsTheWorkerProcessTheStop() throws IOException {
    worker("w1");
    String id = remote.run("{\"mode\": \"sleep\", \"seconds\": 600}");
    awaitStatus(id, "IN_PROGRESS");

    assertThat(remote.client("/cancel/" + id, "{}").text("status")).isEqualTo("CANCELLED");

    await().atMost(LONG).until(() -> logOf("w1").contains("stopped " + id));
    String next = remote.run("{\"mode\": \"echo\"}");
    awaitStatus(next, "COMPLETED");
    assertThat(remote.statusBody(id).path("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void anExecutionTimeoutStopsTheWorkerProcessAndTheJobEndsTimedOut() throws IOException {
    worker("w1");

    String id = remote.client("/run", "{\"input\": {\"mode\": \"sleep\", \"seconds\": 600}, "
        + "\"policy\": {\"executionTimeout\": 5000}}").text("id");

    awaitStatus(id, "TIMED_OUT");
    await().atMost(LONG).until(() -> logOf("w1").contains("stopped " + id));
  }

  @Test
  void aWorkerProcessKilledMidJobLosesItToAnotherWhichCompletesIt() throws IOException, InterruptedException {
    Process doomed = worker("w-killed");
    String id = remote.run("{\"mode\": \"sleep\", \"seconds\": 2}");
    await().atMost(LONG).until(() -> logOf("w-killed").contains("ran " + id));

    doomed.destroyForcibly();
    assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    worker("w-rescuer");

    JsonNode done = awaitStatus(id, "COMPLETED");
    assertThat(done.path("workerId").asText()).isEqualTo("w-rescuer");
    assertThat(done.path("redeliveries").asInt()).isEqualTo(1);
  }

  @Test
  void twoHundredJobsOverFourWorkerProcessesAreEachRunOnce() throws IOException {
    List<String> names = List.of("w1", "w2", "w3", "w4");
    for (String name : names) {
      worker(name);
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(remote.run("{\"mode\": \"echo\", \"n\": " + i + "}"));
    }

    await().atMost(Duration.ofMinutes(3))
        .until(() -> remote.health().json().path("jobs").path("completed").asInt() == 200);

    Map<String, Integer> runs = new HashMap<>();
    for (String name : names) {
      for (String line : logOf(name)) {
        if (line.startsWith("ran ")) {
          runs.merge(line.substring(4), 1, Integer::sum);
        }
      }
    }
    assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(runs.values()).containsOnly(1);
    Set<String> ranOn = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode status = remote.statusBody(ids.get(i));
      assertThat(status.path("status").asText()).isEqualTo("COMPLETED");
      assertThat(status.path("output").path("n").asInt()).isEqualTo(i);
      ranOn.add(status.path("workerId").asText());
    }
    assertThat(names).containsAll(ranOn);
    assertThat(remote.health().json().path("jobs").path("failed").asInt()).isZero();
  }
}
