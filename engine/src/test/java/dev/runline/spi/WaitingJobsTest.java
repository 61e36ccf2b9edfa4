package dev.runline.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Workers take every job handed over once, normal priority first, and none waits while a worker is parked. */
class WaitingJobsTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private final WaitingJobs waiting = new WaitingJobs();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private record Job(JobId id, boolean lowPriority) implements QueuedJob {
    Job(boolean lowPriority) {
      this(JobId.random(false), lowPriority);
    }

    @Override
    public Object input() {
      return null;
    }

    @Override
    public boolean isQueued() {
      return true;
    }

    @Override
    public Optional<Attempt> start(String workerId) {
      return Optional.empty();
    }
  }

  private CompletableFuture<QueuedJob> takeInThread() {
    CompletableFuture<QueuedJob> taken = new CompletableFuture<>();
    threads.execute(() -> {
      try {
        taken.complete(waiting.take());
      } catch (Throwable e) {
        taken.completeExceptionally(e);
      }
    });
    return taken;
  }

  private static void awaitParked(Thread thread) {
    Awaitility.await().atMost(BOUND).until(() -> thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING);
  }

  @Test
  void aParkedWorkerIsWokenByAJobHandedOver() throws Exception {
    Thread[] worker = new Thread[1];
    CompletableFuture<QueuedJob> taken = new CompletableFuture<>();
    worker[0] = new Thread(() -> {
      try {
        taken.complete(waiting.take());
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    worker[0].start();
    awaitParked(worker[0]);

    Job job = new Job(false);
    waiting.addAll(List.of(job));

    assertThat(taken.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isSameAs(job);
  }

  @Test
  void normalPriorityJobsAreTakenBeforeLowPriorityOnes() {
    Job low = new Job(true);
    Job normal = new Job(false);
    waiting.addAll(List.of(low, normal));

    assertThat(waiting.poll()).isSameAs(normal);
    assertThat(waiting.poll()).isSameAs(low);
    assertThat(waiting.poll()).isNull();
  }

  @Test
  void aTimedPollReturnsNothingWhenNoJobComesAndTheJobWhenOneDoes() throws Exception {
    assertThat(waiting.poll(5, TimeUnit.MILLISECONDS)).isNull();

    CompletableFuture<QueuedJob> taken = new CompletableFuture<>();
    Thread worker = new Thread(() -> {
      try {
        taken.complete(waiting.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    worker.start();
    awaitParked(worker);
    Job job = new Job(false);
    waiting.addAll(List.of(job));

    assertThat(taken.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isSameAs(job);
  }

  @Test
  void anInterruptedWaitingWorkerStopsWaiting() throws Exception {
    CompletableFuture<QueuedJob> taken = new CompletableFuture<>();
    Thread worker = new Thread(() -> {
      try {
        taken.complete(waiting.take());
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    worker.start();
    awaitParked(worker);

    worker.interrupt();

    assertThatThrownBy(() -> taken.get(BOUND.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
    Job job = new Job(false);
    waiting.addAll(List.of(job));
    assertThat(waiting.poll()).as("the job is still there for another worker").isSameAs(job);
  }

  /**
   * The first job holds its worker until the second has been taken: the second must reach
   * the other worker, parked or spinning, not wait for the busy one. Repeated, so the
   * hand-over meets the other worker at every point of its spin and park.
   */
  @Test
  void aJobNeverWaitsBehindABusyWorkerWhileAnotherIsIdle() throws Exception {
    for (int round = 0; round < 300; round++) {
      CountDownLatch secondTaken = new CountDownLatch(1);
      CompletableFuture<Boolean> firstDone = new CompletableFuture<>();
      Job first = new Job(false);
      Job second = new Job(false);
      Runnable worker = () -> {
        try {
          QueuedJob job = waiting.take();
          if (job == first) {
            firstDone.complete(secondTaken.await(BOUND.toSeconds(), TimeUnit.SECONDS));
          } else {
            secondTaken.countDown();
          }
        } catch (InterruptedException e) {
          firstDone.completeExceptionally(e);
        }
      };
      threads.execute(worker);
      threads.execute(worker);
      waiting.addAll(List.of(first));
      if (round % 2 == 0) {
        Thread.onSpinWait();
      }
      waiting.addAll(List.of(second));

      assertThat(firstDone.get(2 * BOUND.toSeconds(), TimeUnit.SECONDS)).as("round %d", round).isTrue();
    }
  }

  @Test
  void everyJobFromManyProducersIsTakenExactlyOnce() throws Exception {
    int workers = 3;
    int producers = 3;
    int perProducer = 20_000;
    int total = producers * perProducer;
    Set<QueuedJob> taken = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    Map<QueuedJob, Boolean> twice = Collections.synchronizedMap(new IdentityHashMap<>());
    CountDownLatch all = new CountDownLatch(total);
    for (int w = 0; w < workers; w++) {
      threads.execute(() -> {
        try {
          while (true) {
            QueuedJob job = waiting.take();
            if (!taken.add(job)) {
              twice.put(job, true);
            }
            all.countDown();
          }
        } catch (InterruptedException e) {
          // stopped
        }
      });
    }
    for (int p = 0; p < producers; p++) {
      threads.execute(() -> {
        // Batches of 1, 2, 3, 1, ... jobs, every seventh of low priority.
        for (int made = 0, size = 1; made < perProducer; made += size, size = size % 3 + 1) {
          List<QueuedJob> batch = new ArrayList<>(size);
          for (int j = 0; j < Math.min(size, perProducer - made); j++) {
            batch.add(new Job((made + j) % 7 == 0));
          }
          waiting.addAll(batch);
        }
      });
    }

    assertThat(all.await(30, TimeUnit.SECONDS)).as("all %d jobs taken", total).isTrue();
    assertThat(twice).isEmpty();
    assertThat(taken).hasSize(total);
    assertThat(waiting.poll()).isNull();
  }
}
