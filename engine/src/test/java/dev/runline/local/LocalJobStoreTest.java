package dev.runline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Status;
import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.StoredJob;
import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The default job store keeps the contract of {@link JobStore}: one atomic transition, expiry that follows the state. */
class LocalJobStoreTest {
  private static final Duration TTL = Duration.ofSeconds(10);
  private static final Duration RETENTION = Duration.ofMinutes(30);

  private final FakeTime time = new FakeTime();
  private final List<StoredJob> expired = new CopyOnWriteArrayList<>();
  private final JobStore[] opened = new JobStore[1];
  private final JobStore store = LocalJobStore.factory().open(new JobStore.Context() {
    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public Timers timers() {
      return time;
    }

    /** As the engine does: note it, and end it. */
    @Override
    public Consumer<StoredJob> onExpired() {
      return job -> {
        expired.add(job);
        JobState live = job.state();
        opened[0].expire(job, live, live.ended(Status.TIMED_OUT, null, "ttl", time.nanoTime()));
      };
    }
  });

  {
    opened[0] = store;
  }

  /** A minimal record, as an engine would hand it to the store. */
  static final class Record implements StoredJob {
    final JobId id;
    final AtomicReference<JobState> state;

    Record(JobId id, long now) {
      this.id = id;
      this.state = new AtomicReference<>(JobState.queued(1, now));
    }

    @Override
    public JobId id() {
      return id;
    }

    @Override
    public String endpoint() {
      return "e";
    }

    @Override
    public JobState state() {
      return state.get();
    }

    @Override
    public long ttlNanos() {
      return TTL.toNanos();
    }

    @Override
    public long retentionNanos() {
      return RETENTION.toNanos();
    }

    @Override
    public boolean compareAndSetState(JobState expected, JobState next) {
      return state.compareAndSet(expected, next);
    }
  }

  private Record inserted() {
    Record job = new Record(store.newId(false), time.nanoTime());
    store.insert(job);
    return job;
  }

  @Test
  void aLiveJobWhoseTtlPassesIsNoLongerFoundAtOnceAndHandedToTheEngineByTheExpiry() {
    Record job = inserted();

    time.advance(TTL.plusMillis(1));
    assertThat(store.find(job.id)).as("reads see the ttl exactly").isNull();

    // The live jobs are swept every 100 ms.
    time.advance(Duration.ofSeconds(1));
    assertThat(expired).containsExactly(job);
  }

  @Test
  void ofTwoChangesFromTheSameStateOnlyOneWins() {
    Record job = inserted();
    JobState queued = job.state();

    assertThat(store.compareAndSet(job, queued, queued.started("w", time.nanoTime()))).isTrue();
    assertThat(store.compareAndSet(job, queued, queued.ended(Status.CANCELLED, null, null, time.nanoTime()))).isFalse();
    assertThat(job.state().status()).isEqualTo(Status.IN_PROGRESS);
  }

  @Test
  void aTerminalJobIsKeptForItsRetentionFromItsEndNotItsTtl() {
    Record job = inserted();
    time.advance(TTL.minusSeconds(1));
    JobState queued = job.state();
    store.compareAndSet(job, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));

    time.advance(RETENTION.minusSeconds(1));
    assertThat(store.find(job.id)).isSameAs(job);
    assertThat(expired).isEmpty();

    time.advance(Duration.ofSeconds(2));
    assertThat(store.find(job.id)).isNull();
    assertThat(expired).as("a terminal job leaves silently").isEmpty();
  }

  @Test
  void aRetriedJobLivesForItsTtlAgainFromItsRequeue() {
    Record job = inserted();
    JobState queued = job.state();
    JobState failed = queued.ended(Status.FAILED, null, "x", time.nanoTime());
    store.compareAndSet(job, queued, failed);
    time.advance(Duration.ofMinutes(20));
    store.compareAndSet(job, failed, JobState.queued(2, time.nanoTime()));

    time.advance(TTL.minusSeconds(1));
    assertThat(store.find(job.id)).isSameAs(job);

    time.advance(Duration.ofSeconds(2));
    assertThat(expired).containsExactly(job);
  }

  @Test
  void anExpiredChangeRemovesTheJobAtOnce() {
    Record job = inserted();
    JobState queued = job.state();

    assertThat(store.expire(job, queued, queued.ended(Status.TIMED_OUT, null, "ttl", time.nanoTime()))).isTrue();

    assertThat(store.find(job.id)).isNull();
  }

  @Test
  void shortenKeepsAJobAtMostThatLong() {
    Record job = inserted();
    JobState queued = job.state();
    store.compareAndSet(job, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));

    store.shorten(job, Duration.ofSeconds(5).toNanos());
    store.shorten(job, Duration.ofHours(5).toNanos());
    time.advance(Duration.ofSeconds(5));

    assertThat(store.find(job.id)).isNull();
  }

  @Test
  void anIdFromAnotherStoreOrOfAFreedSlotFindsNothing() {
    Record job = inserted();
    JobState queued = job.state();
    store.compareAndSet(job, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));

    assertThat(store.find(JobId.random(false))).isNull();
    assertThat(store.find(JobId.parse(job.id.toString()))).isSameAs(job);
    time.advance(RETENTION.plusSeconds(2));
    Record next = inserted();
    assertThat(store.find(job.id)).as("the slot may be reused; the old id finds nothing").isNull();
    assertThat(store.find(next.id)).isSameAs(next);
  }

  @Test
  void theLiveJobsAreThoseNotYetEnded() {
    Record running = inserted();
    Record done = inserted();
    JobState queued = done.state();
    store.compareAndSet(done, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));
    time.advance(Duration.ofSeconds(1));

    List<StoredJob> live = new CopyOnWriteArrayList<>();
    store.forEachLive(live::add);

    assertThat(live).containsExactly(running);
  }

  @Test
  void aFreedSlotIsReusedWithoutFindingTheOldJob() {
    // Many jobs through one slot batch: every one found while kept, none after.
    for (int round = 0; round < 3; round++) {
      List<Record> jobs = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        Record job = inserted();
        JobState queued = job.state();
        store.expire(job, queued, queued.ended(Status.TIMED_OUT, null, "ttl", time.nanoTime()));
        jobs.add(job);
      }
      assertThat(jobs).allSatisfy(job -> assertThat(store.find(job.id)).isNull());
    }
    Record last = inserted();
    assertThat(store.find(last.id)).isSameAs(last);
  }
}
