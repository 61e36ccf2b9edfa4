package dev.runline.spi;

import static dev.runline.testing.Engines.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runline.Endpoint;
import dev.runline.EndpointClient;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.testing.Engines;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared worker pool: what a backend gets without writing it. */
class WorkerPoolTest {
  private static final Duration AWAIT = Duration.ofSeconds(10);
  private final FakeTime time = new FakeTime();
  private final List<Runline> engines = new ArrayList<>();

  @AfterEach
  void close() {
    engines.forEach(Runline::close);
  }

  private EndpointClient start(String backendName, BackendProvider provider) {
    Runline engine = Engines.builder(time).backend(provider)
        .endpoint(Endpoint.builder("e").handler(job -> job.input()).backend(backendName).workers(1).unlimited().build())
        .build();
    engines.add(engine);
    return engine.as(KEY).endpoint("e");
  }

  private static BackendProvider provider(String name, java.util.function.Function<BackendContext, Backend> open) {
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Backend open(BackendContext context) {
        return open.apply(context);
      }
    };
  }

  /** Starts the first job, takes the one waiting behind it unstarted, then breaks. */
  static final class Breaking extends WorkerPool {
    final CountDownLatch bothQueued;

    Breaking(BackendContext context, CountDownLatch bothQueued) {
      super(context, "breaking");
      this.bothQueued = bothQueued;
      startWorkers();
    }

    @Override
    protected void work(Worker worker, QueuedJob first) throws Exception {
      if (!bothQueued.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the second job never came");
      }
      worker.start(first).orElseThrow();
      QueuedJob second = null;
      for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); second == null
          && System.nanoTime() < deadline; ) {
        second = worker.poll(10, TimeUnit.MILLISECONDS);
      }
      throw new IllegalStateException("a bug in the backend, holding " + second);
    }
  }

  @Test
  void aRoundThatThrowsEndsEveryJobItTookOrStartedAsFailedAndTheWorkerGoesOn() {
    CountDownLatch bothQueued = new CountDownLatch(1);
    EndpointClient e = start("breaking", provider("breaking", context -> new Breaking(context, bothQueued)));
    String started = e.run(JobRequest.of(1)).id();
    String taken = e.run(JobRequest.of(2)).id();
    bothQueued.countDown();

    await().atMost(AWAIT).until(() -> e.status(started).status().isTerminal() && e.status(taken).status().isTerminal());

    for (String id : List.of(started, taken)) {
      JobStatus status = e.status(id);
      assertThat(status.status()).isEqualTo(Status.FAILED);
      assertThat(status.error()).contains("a bug in the backend");
    }
    await().atMost(AWAIT).until(() -> e.health().workers().idle() == 1);
  }

  @Test
  void aWorkerStuckInAnEndedAttemptIsUnhealthyAndAFreeOneIsIdle() {
    CountDownLatch release = new CountDownLatch(1);
    EndpointClient e = start("stubborn", provider("stubborn", context -> new WorkerPool(context, "stubborn") {
      {
        startWorkers();
      }

      @Override
      protected void work(Worker worker, QueuedJob first) {
        worker.start(first).ifPresent(attempt -> attempt.run(job -> {
          // Ignores interruption, as a badly written handler does.
          while (true) {
            try {
              if (release.await(10, TimeUnit.SECONDS)) {
                return "done";
              }
            } catch (InterruptedException ignored) {
              // keeps waiting
            }
          }
        }));
      }
    }));
    assertThat(e.health().workers().idle()).isEqualTo(1);
    String id = e.run(JobRequest.of(1)).id();
    await().atMost(AWAIT).until(() -> e.health().workers().running() == 1);

    e.cancel(id);
    assertThat(e.health().workers().unhealthy()).isEqualTo(1);

    release.countDown();
    await().atMost(AWAIT).until(() -> e.health().workers().idle() == 1);
    assertThat(e.status(id).status()).isEqualTo(Status.CANCELLED);
  }
}
