package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.spi.Attempt;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.SteppingBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever a backend does through an attempt belongs to that attempt only: once it has
 * ended, a late complete, fail, chunk or progress value changes nothing, even after the job
 * was retried and runs again. Each job is stepped by hand on a {@link SteppingBackend}.
 */
class AttemptScopeTest {
  private static final Duration TIMEOUT = Policy.MIN_EXECUTION_TIMEOUT;

  private final FakeTime time = new FakeTime();
  private final SteppingBackend backend = new SteppingBackend("stepped");
  private final Runline engine = Engines.builder(time)
      .backend(backend.provider())
      // Jobs left running when a test ends are the test's, not work to wait for.
      .shutdownTimeout(Duration.ZERO)
      .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped")
          .defaultPolicy(Policy.DEFAULT.withExecutionTimeout(TIMEOUT)).build())
      .build();
  private final EndpointClient e = engine.as(KEY).endpoint("e");

  @AfterEach
  void close() {
    engine.close();
  }

  /** A job whose first attempt timed out, retried, and running its second attempt. */
  private Attempt[] timedOutThenRetried(String id) {
    Attempt first = backend.startNext("w1");
    time.advance(TIMEOUT.plusSeconds(1));
    assertThat(e.status(id).status()).isEqualTo(Status.TIMED_OUT);
    assertThat(first.isCancelled()).isTrue();
    e.retry(id);
    Attempt second = backend.startNext("w2");
    return new Attempt[] {first, second};
  }

  @Test
  void aLateCompleteOfATimedOutAttemptDoesNotEndTheRetriedOne() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt[] attempts = timedOutThenRetried(id);

    attempts[0].complete("from the first attempt");

    JobStatus running = e.status(id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(running.workerId()).isEqualTo("w2");
    assertThat(running.retries()).isEqualTo(1);

    attempts[1].complete("from the second attempt");
    JobStatus done = e.status(id);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo("from the second attempt");
  }

  @Test
  void aLateFailChunkOrProgressOfAnEndedAttemptChangesNothing() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt[] attempts = timedOutThenRetried(id);

    attempts[0].fail(new IllegalStateException("late"));
    attempts[0].progress("late progress");
    assertThat(attempts[0].emit("late chunk")).isFalse();

    JobStatus running = e.status(id);
    assertThat(running.status()).isEqualTo(Status.IN_PROGRESS);
    assertThat(running.output()).as("no progress from the old attempt").isNull();
    assertThat(e.stream(id, Duration.ZERO).join().stream()).as("no chunk from the old attempt").isEmpty();
    assertThat(attempts[1].isCancelled()).isFalse();
  }

  @Test
  void anAttemptEndsOnceWhateverEndsItSecond() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w");

    attempt.complete("first");
    attempt.fail(new IllegalStateException("second"));
    attempt.complete("third");

    JobStatus done = e.status(id);
    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo("first");
    assertThat(engine.inspect().health("e").jobs().completed()).isEqualTo(1);
    assertThat(engine.inspect().health("e").jobs().failed()).isZero();
  }

  @Test
  void aCancelledAttemptRunsNoHandlerAndAJobStartsOncePerAttempt() {
    String id = e.run(JobRequest.of("x")).id();
    var job = backend.next();
    Attempt attempt = job.start("w").orElseThrow();
    assertThat(job.start("other")).as("a second start of the same attempt").isEmpty();

    e.cancel(id);
    AtomicBoolean ran = new AtomicBoolean();
    attempt.run(context -> {
      ran.set(true);
      return null;
    });

    assertThat(ran).isFalse();
    assertThat(e.status(id).status()).isEqualTo(Status.CANCELLED);
  }

  @Test
  void aSteppedAttemptStreamsAndReportsProgressUntilItEnds() {
    String id = e.run(JobRequest.of("x")).id();
    Attempt attempt = backend.startNext("w");

    attempt.progress(0.5);
    assertThat(e.status(id).output()).isEqualTo(0.5);
    assertThat(attempt.emit("a")).isTrue();
    assertThat(attempt.emit("b")).isTrue();
    assertThat(e.stream(id, Duration.ZERO).join().stream()).extracting(StreamBatch.Chunk::output)
        .containsExactly("a", "b");
    attempt.complete(List.of("a", "b"));

    assertThat(e.status(id).output()).isEqualTo(List.of("a", "b"));
  }
}
