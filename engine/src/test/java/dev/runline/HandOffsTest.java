package dev.runline;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.testing.DirectIntake;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import dev.runline.testing.SteppingBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A batch of hand-offs holds the jobs a thread admits until it closes, then hands them over together. */
class HandOffsTest {
  private final FakeTime time = new FakeTime();
  private final SteppingBackend backend = new SteppingBackend("stepped");
  private final Runline engine = Engines.builder(time)
      .backend(backend.provider())
      .intake(DirectIntake.factory())
      .shutdownTimeout(Duration.ZERO)
      .endpoint(Endpoint.builder("e").handler(job -> null).backend("stepped").unlimited().build())
      .build();
  private final EndpointClient e = engine.as(KEY).endpoint("e");

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void jobsAdmittedInABatchReachTheBackendWhenItCloses() {
    String first;
    try (HandOffs batch = engine.batchHandOffs()) {
      first = e.run(JobRequest.of(1)).id();
      e.run(JobRequest.of(2));
      e.run(JobRequest.of(3));
      assertThat(backend.waiting()).as("held").isZero();
      assertThat(e.status(first).status()).as("accepted all the same").isEqualTo(Status.IN_QUEUE);
    }

    assertThat(backend.waiting()).isEqualTo(3);
    assertThat(backend.next().id().toString()).as("in order").isEqualTo(first);
  }

  @Test
  void aBatchOpenedInsideAnotherJoinsIt() {
    try (HandOffs outer = engine.batchHandOffs()) {
      try (HandOffs inner = engine.batchHandOffs()) {
        e.run(JobRequest.of(1));
      }
      assertThat(backend.waiting()).as("still held by the outer batch").isZero();
    }

    assertThat(backend.waiting()).isEqualTo(1);
  }

  @Test
  void withoutABatchAJobIsHandedOverAtOnce() {
    e.run(JobRequest.of(1));

    assertThat(backend.waiting()).isEqualTo(1);
  }

  @Test
  void aBatchClosedOnAnotherThreadReleasesNothingThere() throws Exception {
    HandOffs batch = engine.batchHandOffs();
    e.run(JobRequest.of(1));
    Thread other = new Thread(batch::close);
    other.start();
    other.join();
    assertThat(backend.waiting()).isZero();

    batch.close();
    assertThat(backend.waiting()).isEqualTo(1);
  }
}
