package dev.runline.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.EndpointClient;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Policy;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.StreamBatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code remote} backend under an engine on manual time: takes held and answered, results,
 * chunks and progress matched to the attempt they belong to, stop signals, leases taken back
 * from silent workers, and the workers' states in {@code /health}.
 */
class RemoteBackendTest {
  private static final String KEY = "client-key-0001";
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration TAKE_WAIT = Duration.ofSeconds(20);

  private final ManualTime time = new ManualTime();
  private Runline engine;
  private EndpointClient client;
  private RemoteWorkers workers;

  private void start(Consumer<Endpoint.Builder> settings) {
    Endpoint.Builder endpoint = Endpoint.builder("m").external().backend("remote")
        .backendSetting("leaseTimeout", "30s").backendSetting("takeWait", "20s").backendSetting("maxBatch", 3);
    settings.accept(endpoint);
    engine = Runline.builder().apiKeys(KEY).time(time).timers(time).executor(Runnable::run)
        .shutdownTimeout(Duration.ZERO).endpoint(endpoint.build()).build();
    client = engine.as(KEY).endpoint("m");
    workers = engine.inspect().backend("m", RemoteWorkers.class).orElseThrow();
  }

  private void start() {
    start(endpoint -> { });
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private String run(Object input) {
    return client.run(JobRequest.of(input)).id();
  }

  private WorkerJob takeOne(String worker) {
    List<WorkerJob> jobs = workers.take(worker, 1).getNow(null);
    assertThat(jobs).as("jobs handed out at once").hasSize(1);
    return jobs.get(0);
  }

  @Test
  void aTakeHandsOutAQueuedJobInProgressOnTheWorker() {
    start();
    String id = run(Map.of("prompt", "hi"));

    WorkerJob job = takeOne("w1");

    assertThat(job.id()).isEqualTo(id);
    assertThat(job.input()).isEqualTo(Map.of("prompt", "hi"));
    JobStatus status = client.status(id);
    assertThat(status.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(status.workerId()).isEqualTo("w1");
    assertThat(workers.stats().taken()).isEqualTo(1);
  }

  @Test
  void aTakeWithNothingQueuedIsHeldUntilAJobArrivesOrTakeWaitPasses() {
    start();
    CompletableFuture<List<WorkerJob>> held = workers.take("w1", 1);
    assertThat(held).isNotDone();

    String id = run("x");
    assertThat(held).isCompleted();
    assertThat(held.getNow(null)).extracting(WorkerJob::id).containsExactly(id);

    CompletableFuture<List<WorkerJob>> empty = workers.take("w1", 1);
    time.advance(TAKE_WAIT.minusMillis(1));
    assertThat(empty).isNotDone();
    time.advance(Duration.ofMillis(1));
    assertThat(empty.getNow(null)).isEmpty();
  }

  @Test
  void aTakeGivenUpByItsWorkerGetsNoJob() {
    start();
    CompletableFuture<List<WorkerJob>> gone = workers.take("w1", 1);
    gone.cancel(false);

    String id = run("x");

    assertThat(client.status(id).status()).isEqualTo(Status.IN_QUEUE);
    assertThat(takeOne("w2").id()).isEqualTo(id);
  }

  @Test
  void aBatchTakeGetsAtMostMaxBatchJobs() {
    start();
    for (int i = 0; i < 5; i++) {
      run(i);
    }

    assertThat(workers.take("w1", 10).getNow(null)).hasSize(3);
    assertThat(workers.take("w1", 10).getNow(null)).hasSize(2);
  }

  @Test
  void normalPriorityJobsAreHandedOutBeforeLowPriorityOnes() {
    start();
    String low = client.run(JobRequest.of("low").withPolicy(Policy.DEFAULT.withLowPriority(true))).id();
    String normal = run("normal");

    assertThat(takeOne("w1").id()).isEqualTo(normal);
    assertThat(takeOne("w1").id()).isEqualTo(low);
  }

  @Test
  void aCancelledPurgedOrExpiredJobIsNeverHandedOut() {
    start();
    String cancelled = run("c");
    client.cancel(cancelled);
    run("p");
    client.purgeQueue();
    client.run(JobRequest.of("t").withPolicy(Policy.DEFAULT.withTtl(Policy.MIN_TTL)));
    time.advance(Policy.MIN_TTL.plusSeconds(1));
    engine.inspect().runPendingExpiry();

    assertThat(workers.take("w1", 3).getNow(null)).as("held: nothing to hand out").isNull();
  }

  @Test
  void aResultCompletesTheJobAndItsOutputIsItsOneChunk() {
    start();
    String id = run("x");
    takeOne("w1");

    ReportAnswer answer = workers.report("w1", id, WorkerResult.end(Map.of("text", "done"), null, false, false));

    assertThat(answer.kind()).isEqualTo(ReportAnswer.Kind.ACCEPTED);
    JobStatus done = client.status(id);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo(Map.of("text", "done"));
    assertThat(client.stream(id, Duration.ZERO).join().stream()).extracting(StreamBatch.Chunk::output)
        .containsExactly(Map.of("text", "done"));
    assertThat(workers.stats().results()).isEqualTo(1);
  }

  @Test
  void aStreamedJobsChunksAreReadableAndItsFinalOutputIsWhatTheWorkerAggregated() {
    start();
    String id = run("x");
    takeOne("w1");

    assertThat(workers.streamChunk("w1", id, "a").kind()).isEqualTo(ReportAnswer.Kind.ACCEPTED);
    assertThat(client.stream(id, Duration.ZERO).join().stream()).extracting(StreamBatch.Chunk::output)
        .containsExactly("a");
    workers.streamChunk("w1", id, "b");
    workers.report("w1", id, WorkerResult.end(List.of("a", "b"), null, true, false));

    assertThat(client.stream(id, Duration.ZERO).join().stream()).extracting(StreamBatch.Chunk::output)
        .containsExactly("b");
    assertThat(client.status(id).output()).isEqualTo(List.of("a", "b"));
  }

  @Test
  void anErrorFailsTheJobWithTheErrorAsSentAndKeepsTheOutput() {
    start();
    String id = run("x");
    takeOne("w1");

    workers.report("w1", id, WorkerResult.end(Map.of("partial", true), "{\"error_type\": \"ValueError\"}", false, false));

    JobStatus failed = client.status(id);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).isEqualTo("{\"error_type\": \"ValueError\"}");
    assertThat(failed.output()).isEqualTo(Map.of("partial", true));
  }

  @Test
  void progressIsShownWhileTheJobRunsAndIgnoredAfterItsEnd() {
    start();
    String id = run("x");
    takeOne("w1");

    assertThat(workers.report("w1", id, WorkerResult.progress(Map.of("step", 1))).kind())
        .isEqualTo(ReportAnswer.Kind.ACCEPTED);
    JobStatus running = client.status(id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(running.output()).isEqualTo(Map.of("step", 1));

    workers.report("w1", id, WorkerResult.end("done", null, false, false));
    ReportAnswer late = workers.report("w1", id, WorkerResult.progress(Map.of("step", 2)));

    assertThat(late.kind()).isEqualTo(ReportAnswer.Kind.IGNORED);
    assertThat(client.status(id).output()).isEqualTo("done");
  }

  @Test
  void aResultSentThreeTimesEndsTheJobOnce() {
    start();
    String id = run("x");
    takeOne("w1");
    WorkerResult result = WorkerResult.end("done", null, false, false);

    assertThat(workers.report("w1", id, result).kind()).isEqualTo(ReportAnswer.Kind.ACCEPTED);
    assertThat(workers.report("w1", id, result).kind()).isEqualTo(ReportAnswer.Kind.IGNORED);
    assertThat(workers.report("w1", id, result).kind()).isEqualTo(ReportAnswer.Kind.IGNORED);

    assertThat(engine.inspect().health("m").jobs().completed()).isEqualTo(1);
    assertThat(workers.stats().results()).isEqualTo(1);
  }

  @Test
  void aResultForACancelledJobIsIgnoredAndTheJobStaysCancelled() {
    start();
    String id = run("x");
    takeOne("w1");
    client.cancel(id);

    ReportAnswer answer = workers.report("w1", id, WorkerResult.end("done", null, false, false));

    assertThat(answer.kind()).isEqualTo(ReportAnswer.Kind.IGNORED);
    assertThat(answer.detail()).contains("CANCELLED");
    assertThat(client.status(id).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void aReportFromAWorkerThatDoesNotHoldTheJobIsRefusedAndChangesNothing() {
    start();
    String id = run("x");
    takeOne("w1");

    ReportAnswer answer = workers.report("w2", id, WorkerResult.end("forged", null, false, false));
    ReportAnswer chunk = workers.streamChunk("w2", id, "forged chunk");

    assertThat(answer.kind()).isEqualTo(ReportAnswer.Kind.REFUSED);
    assertThat(answer.detail()).contains("does not hold job").contains("running on worker 'w1'");
    assertThat(chunk.kind()).isEqualTo(ReportAnswer.Kind.REFUSED);
    JobStatus running = client.status(id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(client.stream(id, Duration.ZERO).join().stream()).isEmpty();
  }

  @Test
  void cancelOfARunningJobSendsItsWorkerAStop() {
    start();
    String id = run("x");
    takeOne("w1");
    CompletableFuture<List<String>> stops = workers.stopSignals("w1");
    assertThat(stops).isNotDone();

    client.cancel(id);

    assertThat(stops.getNow(null)).containsExactly(id);
    assertThat(client.status(id).status()).isEqualTo(Status.CANCELLED);
    assertThat(workers.stopSignals("w1")).as("each stop is told once").isNotDone();
  }

  @Test
  void anExecutionTimeoutSendsAStopAndTheJobEndsTimedOut() {
    start(endpoint -> endpoint.defaultPolicy(Policy.DEFAULT.withExecutionTimeout(Policy.MIN_EXECUTION_TIMEOUT)));
    String id = run("x");
    takeOne("w1");

    time.advance(Policy.MIN_EXECUTION_TIMEOUT.plusSeconds(1));

    assertThat(workers.stopSignals("w1").getNow(null)).containsExactly(id);
    assertThat(client.status(id).status()).isEqualTo(Status.TIMED_OUT);
  }

  @Test
  void aSilentWorkersJobIsRedeliveredThenFailsNamingTheWorker() {
    start(endpoint -> endpoint.backendSetting("maxRedeliveries", 1));
    String id = run("x");
    takeOne("dies-1");

    time.advance(LEASE.plusSeconds(10));
    JobStatus again = client.status(id);
    assertThat(again.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(again.redeliveries()).isEqualTo(1);
    assertThat(workers.report("dies-1", id, WorkerResult.end("late", null, false, false)).kind())
        .as("the lost worker's late result").isEqualTo(ReportAnswer.Kind.REFUSED);

    takeOne("dies-2");
    time.advance(LEASE.plusSeconds(10));

    JobStatus failed = client.status(id);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).contains("worker 'dies-2' was lost").contains("backendSettings.leaseTimeout")
        .contains("maxRedeliveries 1");
    assertThat(failed.redeliveries()).isEqualTo(1);
    assertThat(workers.stats().redeliveries()).isEqualTo(1);
    assertThat(workers.stats().workersLost()).isEqualTo(2);
  }

  @Test
  void aHeartbeatNamingItsJobKeepsTheLease() {
    start();
    String id = run("x");
    takeOne("w1");

    for (int i = 0; i < 5; i++) {
      time.advance(Duration.ofSeconds(20));
      workers.ping("w1", List.of(id), null);
    }

    assertThat(client.status(id).status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(client.status(id).workerId()).isEqualTo("w1");
  }

  @Test
  void aHeartbeatNamingAJobNoLongerTheWorkersTellsItToStop() {
    start();
    String id = run("x");
    takeOne("w1");
    time.advance(LEASE.plusSeconds(10));
    takeOne("w2");
    assertThat(workers.stopSignals("w1").getNow(null)).as("told when its job was taken back").containsExactly(id);

    workers.ping("w1", List.of(id), null);

    assertThat(workers.stopSignals("w1").getNow(null)).containsExactly(id);
    assertThat(client.status(id).workerId()).isEqualTo("w2");
  }

  @Test
  void workersAreRunningIdleUnhealthyOrThrottledAndGoneAfterTheLeaseTimeout() {
    start(endpoint -> endpoint.backendSetting("maxTakeRate", 1).backendSetting("takeWait", 0));
    run("x");
    takeOne("busy");
    workers.take("idle", 1).getNow(null);
    workers.ping("sick", List.of(), "gpu check failed");
    workers.take("greedy", 1).getNow(null);
    assertThatThrownBy(() -> workers.take("greedy", 1)).isInstanceOf(WorkerThrottledException.class)
        .hasMessageContaining("maxTakeRate");

    assertThat(engine.inspect().health("m").workers()).isEqualTo(new Health.Workers(1, 0, 1, 1, 1, 1));
    assertThat(workers.stats().throttled()).isEqualTo(1);

    time.advance(LEASE.plusSeconds(10));
    Health.Workers later = engine.inspect().health("m").workers();
    assertThat(later).as("silent workers are gone; the busy one lost its job").isEqualTo(new Health.Workers(0, 0, 0, 0, 0, 0));
  }

  @Test
  void closingAnswersHeldTakesAndStops() {
    start();
    CompletableFuture<List<WorkerJob>> take = workers.take("w1", 1);
    CompletableFuture<List<String>> stops = workers.stopSignals("w1");

    engine.close();

    assertThat(take.getNow(null)).isEmpty();
    assertThat(stops.getNow(null)).isEmpty();
  }

  @Test
  void aBadWorkerIdIsRefused() {
    start();
    assertThatThrownBy(() -> workers.take("has space", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("worker id");
  }

  @Test
  void badSettingsStopTheStartNamingTheKey() {
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("leaseTimout", "30s")))
        .hasMessageContaining("backendSettings.leaseTimout is not a setting of backend 'remote'")
        .hasMessageContaining("leaseTimeout, maxRedeliveries, takeWait, maxBatch, maxTakeRate");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("takeWait", "90s")))
        .hasMessageContaining("backendSettings.takeWait must be at most 80s");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("leaseTimeout", "soon")))
        .hasMessageContaining("backendSettings.leaseTimeout must be a duration");
    assertThatThrownBy(() -> start(endpoint -> endpoint.backendSetting("maxBatch", 0)))
        .hasMessageContaining("backendSettings.maxBatch must be a whole number from 1 to 1024, was '0'");
  }
}
