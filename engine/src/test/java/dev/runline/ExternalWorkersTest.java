package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.spi.Attempt;
import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import dev.runline.spi.JobState;
import dev.runline.spi.QueuedJob;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.SteppingBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a backend whose workers run outside the engine needs of it: a stop hook that runs when
 * an attempt is ended from outside (cancel, execution timeout, ttl), a redelivery that queues
 * a lost worker's job again as a new run, a failure kept as the worker reported it, and the
 * job and its running attempt found by id for a report that arrives from elsewhere. Each job
 * is stepped by hand on a {@link SteppingBackend}.
 */
class ExternalWorkersTest {
  private static final Duration TIMEOUT = Policy.MIN_EXECUTION_TIMEOUT;

  private final FakeTime time = new FakeTime();
  private final SteppingBackend backend = new SteppingBackend("stepped");
  private final Runline engine = Engines.builder(time)
      .backend(backend.provider())
      .shutdownTimeout(Duration.ZERO)
      .endpoint(Endpoint.builder("e").external().backend("stepped")
          .defaultPolicy(Policy.DEFAULT.withExecutionTimeout(TIMEOUT)).build())
      .build();
  private final EndpointClient e = engine.as(KEY).endpoint("e");

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void aCancelOfARunningAttemptRunsItsStopOnce() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w1");
    AtomicInteger stops = new AtomicInteger();
    assertThat(attempt.onStop(stops::incrementAndGet)).isTrue();

    e.cancel(id);
    e.cancel(id);

    assertThat(stops).hasValue(1);
    assertThat(e.status(id).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void anExecutionTimeoutRunsTheStop() {
    String id = e.run(JobRequest.of("x")).id();
    AtomicInteger stops = new AtomicInteger();
    backend.startNext("w1").onStop(stops::incrementAndGet);

    time.advance(TIMEOUT.plusSeconds(1));

    assertThat(stops).hasValue(1);
    assertThat(e.status(id).status()).isEqualTo(Status.TIMED_OUT);
  }

  @Test
  void theTtlOfARunningJobRunsTheStop() {
    e.run(JobRequest.of("x").withPolicy(Policy.DEFAULT.withTtl(Policy.MIN_TTL).withExecutionTimeout(Duration.ofDays(1))));
    AtomicInteger stops = new AtomicInteger();
    backend.startNext("w1").onStop(stops::incrementAndGet);

    time.advance(Policy.MIN_TTL.plusSeconds(2));
    engine.inspect().runPendingExpiry();

    assertThat(stops).hasValue(1);
  }

  @Test
  void anAttemptThatEndsItselfNeverRunsItsStop() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w1");
    AtomicInteger stops = new AtomicInteger();
    attempt.onStop(stops::incrementAndGet);

    attempt.complete("done");
    e.cancel(id);
    time.advance(TIMEOUT.plusSeconds(1));

    assertThat(stops).hasValue(0);
    assertThat(e.status(id).status()).isEqualTo(Status.COMPLETED);
  }

  @Test
  void aStopRegisteredOnAnEndedAttemptRegistersNothing() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w1");
    e.cancel(id);

    AtomicInteger stops = new AtomicInteger();
    assertThat(attempt.onStop(stops::incrementAndGet)).isFalse();
    assertThat(stops).hasValue(0);
  }

  @Test
  void aRedeliveredJobWaitsAgainAsANewRunAndCountsTheRedelivery() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt lost = backend.startNext("w1");
    AtomicInteger stops = new AtomicInteger();
    lost.onStop(stops::incrementAndGet);

    assertThat(lost.redeliver()).isTrue();

    JobStatus queued = e.status(id);
    assertThat(queued.status()).isEqualTo(Status.IN_QUEUE);
    assertThat(queued.redeliveries()).isEqualTo(1);
    assertThat(queued.retries()).isNull();
    assertThat(queued.workerId()).isNull();
    Health.Jobs jobs = engine.inspect().health("e").jobs();
    assertThat(jobs.inQueue()).isEqualTo(1);
    assertThat(jobs.inProgress()).isZero();
    assertThat(jobs.retried()).as("a redelivery is no retry").isZero();

    Attempt second = backend.startNext("w2");
    assertThat(second.redeliveries()).isEqualTo(1);
    assertThat(second.retries()).isZero();
    lost.complete("from the lost run");
    lost.progress("late progress");
    assertThat(lost.emit("late chunk")).isFalse();
    assertThat(lost.redeliver()).isFalse();
    assertThat(e.status(id).status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(e.status(id).output()).isNull();

    e.cancel(id);
    assertThat(stops).as("the lost run's stop is dropped at its redelivery").hasValue(0);
    assertThat(e.status(id).redeliveries()).isEqualTo(1);
  }

  @Test
  void retriesAndRedeliveriesAreCountedApart() {
    String id = e.run(JobRequest.of("x")).id();
    backend.startNext("w1").redeliver();
    backend.startNext("w2").fail(new IllegalStateException("boom"));
    e.retry(id);
    Attempt third = backend.startNext("w3");

    assertThat(third.retries()).isEqualTo(1);
    assertThat(third.redeliveries()).isEqualTo(1);
    third.complete("ok");
    JobStatus done = e.status(id);
    assertThat(done.retries()).isEqualTo(1);
    assertThat(done.redeliveries()).isEqualTo(1);
    assertThat(done.output()).isEqualTo("ok");
  }

  @Test
  void theTtlOfARedeliveredJobStillCountsFromItsSubmission() {
    String id = e.run(JobRequest.of("x").withPolicy(Policy.DEFAULT.withTtl(Policy.MIN_TTL))).id();
    time.advance(Policy.MIN_TTL.minusSeconds(2));
    backend.startNext("w1").redeliver();

    time.advance(Duration.ofSeconds(3));
    engine.inspect().runPendingExpiry();

    assertThatThrownBy(() -> e.status(id)).isInstanceOf(NotFoundException.class);
    assertThat(backend.next().start("w2")).as("an expired job is never started").isEmpty();
  }

  @Test
  void aFailureReportedByAWorkerKeepsItsErrorAsWrittenAndItsOutput() {
    String id = e.run(JobRequest.of("x")).id();
    backend.startNext("w1").fail("{\"error_type\": \"ValueError\"}", Map.of("partial", 1));

    JobStatus failed = e.status(id);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.error()).isEqualTo("{\"error_type\": \"ValueError\"}");
    assertThat(failed.output()).isEqualTo(Map.of("partial", 1));
  }

  @Test
  void aCompletedExternalJobHasNoChunkOfItsOwnButWhatItsBackendEmitted() {
    String plain = e.run(JobRequest.of("x")).id();
    backend.startNext("w1").complete("out");
    assertThat(e.stream(plain, Duration.ZERO).join().stream()).isEmpty();

    String streamed = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w1");
    attempt.emit("a");
    attempt.complete(List.of("a"));
    assertThat(e.stream(streamed, Duration.ZERO).join().stream()).extracting(StreamBatch.Chunk::output)
        .containsExactly("a");
  }

  @Test
  void aReportFindsTheRunningAttemptOnlyOnTheWorkerThatRunsIt() {
    CapturingBackend capture = new CapturingBackend();
    try (Runline other = Engines.builder(time).backend(capture).shutdownTimeout(Duration.ZERO)
        .endpoint(Endpoint.builder("c").external().backend("capture").build())
        .endpoint(Endpoint.builder("d").external().backend("capture").build()).build()) {
      EndpointClient c = other.as(KEY).endpoint("c");
      String id = c.run(JobRequest.of("x")).id();
      BackendContext context = capture.contexts.get("c");
      capture.jobs.get(0).start("w1").orElseThrow();

      assertThat(context.jobState(id)).map(JobState::status).hasValue(Status.IN_PROGRESS);
      assertThat(context.runningAttempt(id, "w2")).isEmpty();
      Attempt found = context.runningAttempt(id, "w1").orElseThrow();
      assertThat(capture.contexts.get("d").runningAttempt(id, "w1")).as("another endpoint's job").isEmpty();
      assertThat(context.runningAttempt("not-an-id", "w1")).isEmpty();
      assertThat(context.jobState("not-an-id")).isEmpty();

      found.progress(0.5);
      assertThat(c.status(id).output()).isEqualTo(0.5);
      found.complete("done");
      assertThat(c.status(id).status()).isEqualTo(Status.COMPLETED);
      assertThat(context.runningAttempt(id, "w1")).isEmpty();
      assertThat(context.timers()).isSameAs(time);
      assertThat(context.time().nanoTime()).isEqualTo(time.nanoTime());

      assertThat(other.inspect().backend("c", CapturedBackend.class)).isPresent();
      assertThat(other.inspect().backend("c", Runnable.class)).isEmpty();
      assertThatThrownBy(() -> other.inspect().backend("nope", CapturedBackend.class))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void aBackendThatRunsCodeRefusesAnEndpointWithoutAny() {
    Endpoint external = Endpoint.builder("x").external().backend("cpu").build();

    assertThatThrownBy(() -> Engines.start(time, external))
        .hasMessageContaining("endpoint 'x' names no handler or kernel")
        .hasMessageContaining("(remote)");
  }

  /** The kind of backend a host reaches through {@link Inspection#backend}. */
  interface CapturedBackend extends Backend {}

  /** A backend that keeps its contexts by endpoint and the jobs dispatched to it. */
  private static final class CapturingBackend implements BackendProvider {
    final Map<String, BackendContext> contexts = new java.util.concurrent.ConcurrentHashMap<>();
    final List<QueuedJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "capture";
    }

    @Override
    public Backend open(BackendContext context) {
      contexts.put(context.endpoint().name(), context);
      return new CapturedBackend() {
        @Override
        public void dispatch(List<QueuedJob> batch) {
          jobs.addAll(batch);
        }

        @Override
        public Health.Workers workers() {
          return new Health.Workers(0, 0, 0, 0, 0, 0);
        }

        @Override
        public void close() {}
      };
    }
  }
}
