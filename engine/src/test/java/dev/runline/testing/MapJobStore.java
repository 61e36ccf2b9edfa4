package dev.runline.testing;

import dev.runline.spi.JobId;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.StoredJob;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A job store that keeps the transition contract of {@link JobStore} with nothing but a
 * concurrent map, and expires a job only when a test says so ({@link #expireNow}): for tests
 * that want the engine's state machine without a cache's timers and maintenance.
 */
public final class MapJobStore implements JobStore {
  private final Map<JobId, StoredJob> jobs = new ConcurrentHashMap<>();
  private final Consumer<StoredJob> onExpired;

  private MapJobStore(Context context) {
    this.onExpired = context.onExpired();
  }

  /** Opens stores of this kind, handing each one made to {@code opened}. */
  public static JobStore.Factory factory(Consumer<MapJobStore> opened) {
    return context -> {
      MapJobStore store = new MapJobStore(context);
      opened.accept(store);
      return store;
    };
  }

  /** The ttl of job {@code id} passed: the engine is told, as a store's expiry tells it. */
  public void expireNow(String id) {
    StoredJob job = jobs.get(JobId.parse(id));
    if (job != null && !job.state().status().isTerminal()) {
      onExpired.accept(job);
    }
  }

  @Override
  public void insert(StoredJob job) {
    jobs.put(job.id(), job);
  }

  @Override
  public StoredJob find(JobId id) {
    return jobs.get(id);
  }

  @Override
  public boolean compareAndSet(StoredJob job, JobState expected, JobState next) {
    return job.compareAndSetState(expected, next);
  }

  @Override
  public boolean expire(StoredJob job, JobState expected, JobState next) {
    if (!job.compareAndSetState(expected, next)) {
      return false;
    }
    jobs.remove(job.id(), job);
    return true;
  }

  @Override
  public void shorten(StoredJob job, long keepNanos) {}

  @Override
  public void remove(StoredJob job) {
    jobs.remove(job.id(), job);
  }

  @Override
  public void forEachLive(Consumer<StoredJob> action) {
    jobs.values().forEach(action);
  }

  @Override
  public void cleanUp() {}

  @Override
  public void close() {}
}
