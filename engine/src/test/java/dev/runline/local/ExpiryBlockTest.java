package dev.runline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.spi.JobId;
import dev.runline.spi.StoredJob;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A block of finished jobs hands each job added to it to its sweep exactly once. */
class ExpiryBlockTest {

  private static List<StoredJob> jobs(int n) {
    List<StoredJob> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(new LocalJobStoreTest.Record(JobId.random(false, i), 0));
    }
    return jobs;
  }

  @Test
  void jobsAddedFromManyThreadsAcrossPagesAreEachVisitedOnce() throws InterruptedException {
    ExpiryBlock block = new ExpiryBlock(7);
    int threads = 12;
    int perThread = 3_000;
    List<List<StoredJob>> slices = new ArrayList<>();
    List<Thread> adders = new ArrayList<>();
    Set<StoredJob> refused = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    for (int t = 0; t < threads; t++) {
      List<StoredJob> slice = jobs(perThread);
      slices.add(slice);
      adders.add(new Thread(() -> slice.forEach(job -> {
        if (!block.add(job)) {
          refused.add(job);
        }
      })));
    }
    adders.forEach(Thread::start);
    for (Thread adder : adders) {
      adder.join();
    }

    Map<StoredJob, Integer> visits = new IdentityHashMap<>();
    block.forEach(job -> visits.merge(job, 1, Integer::sum));

    assertThat(refused).isEmpty();
    assertThat(visits).hasSize(threads * perThread);
    assertThat(visits.values()).containsOnly(1);
    slices.forEach(slice -> assertThat(visits.keySet()).containsAll(slice));
    assertThat(block.second()).isEqualTo(7);
  }

  @Test
  void aSweptBlockTakesNoMoreJobs() {
    ExpiryBlock block = new ExpiryBlock(1);
    List<StoredJob> jobs = jobs(2);
    assertThat(block.add(jobs.get(0))).isTrue();
    List<StoredJob> visited = new ArrayList<>();
    block.forEach(visited::add);

    assertThat(block.add(jobs.get(1))).as("added after the sweep").isFalse();
    assertThat(visited).containsExactly(jobs.get(0));
  }
}
