package dev.runline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Status;
import dev.runline.TimeSource;
import dev.runline.Timers;
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
  private final JobStore store = LocalJobStore.factory().open(new JobStore.Context() {
    @Override
    public TimeSource time() {
      return time;
    }

    @Override
    public Timers timers() {
      return time;
    }

    @Override
    public Consumer<StoredJob> onExpired() {
      return expired::add;
    }
  });

  /** A minimal record, as an engine would hand it to the store. */
  static final class Record implements StoredJob {
    final String id;
    final AtomicReference<JobState> state;

    Record(String id, long now) {
      this.id = id;
      this.state = new AtomicReference<>(JobState.queued(1, now));
    }

    @Override
    public String id() {
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

  private Record inserted(String id) {
    Record job = new Record(id, time.nanoTime());
    store.insert(job);
    return job;
  }

  @Test
  void aLiveJobWhoseTtlPassesIsNoLongerFoundAtOnceAndHandedToTheEngineByTheExpiry() {
    Record job = inserted("a");

    time.advance(TTL.plusMillis(1));
    assertThat(store.find("a")).as("reads see the ttl exactly").isNull();

    // The expiry's timer wheel turns in steps of about a second.
    time.advance(Duration.ofSeconds(2));
    store.cleanUp();
    assertThat(expired).containsExactly(job);
  }

  @Test
  void ofTwoChangesFromTheSameStateOnlyOneWins() {
    Record job = inserted("a");
    JobState queued = job.state();

    assertThat(store.compareAndSet(job, queued, queued.started("w", time.nanoTime()))).isTrue();
    assertThat(store.compareAndSet(job, queued, queued.ended(Status.CANCELLED, null, null, time.nanoTime()))).isFalse();
    assertThat(job.state().status()).isEqualTo(Status.IN_PROGRESS);
  }

  @Test
  void aTerminalJobIsKeptForItsRetentionFromItsEndNotItsTtl() {
    Record job = inserted("a");
    time.advance(TTL.minusSeconds(1));
    JobState queued = job.state();
    store.compareAndSet(job, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));

    time.advance(RETENTION.minusSeconds(1));
    store.cleanUp();
    assertThat(store.find("a")).isSameAs(job);
    assertThat(expired).isEmpty();

    time.advance(Duration.ofSeconds(2));
    store.cleanUp();
    assertThat(store.find("a")).isNull();
    assertThat(expired).as("a terminal job leaves silently").isEmpty();
  }

  @Test
  void aRetriedJobLivesForItsTtlAgainFromItsRequeue() {
    Record job = inserted("a");
    JobState queued = job.state();
    JobState failed = queued.ended(Status.FAILED, null, "x", time.nanoTime());
    store.compareAndSet(job, queued, failed);
    time.advance(Duration.ofMinutes(20));
    store.compareAndSet(job, failed, JobState.queued(2, time.nanoTime()));

    time.advance(TTL.minusSeconds(1));
    store.cleanUp();
    assertThat(store.find("a")).isSameAs(job);

    time.advance(Duration.ofSeconds(2));
    store.cleanUp();
    assertThat(expired).containsExactly(job);
  }

  @Test
  void anExpiredChangeRemovesTheJobAtOnce() {
    Record job = inserted("a");
    JobState queued = job.state();

    assertThat(store.expire(job, queued, queued.ended(Status.TIMED_OUT, null, "ttl", time.nanoTime()))).isTrue();

    assertThat(store.find("a")).isNull();
  }

  @Test
  void shortenKeepsAJobAtMostThatLong() {
    Record job = inserted("a");
    JobState queued = job.state();
    store.compareAndSet(job, queued, queued.ended(Status.COMPLETED, "out", null, time.nanoTime()));

    store.shorten(job, Duration.ofSeconds(5).toNanos());
    store.shorten(job, Duration.ofHours(5).toNanos());
    time.advance(Duration.ofSeconds(6));
    store.cleanUp();

    assertThat(store.find("a")).isNull();
  }
}
