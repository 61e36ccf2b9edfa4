package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The producer threads both sides of SubmitToCompleteBenchmark submit their batches with. */
class ProducersTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void everyIndexIsSubmittedOnceFromThatManyThreads(int count) throws Exception {
    try (Producers producers = new Producers(count)) {
      for (int n : new int[] {1000, 7, 1}) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        producers.submitAll(n, i -> {
          seen.incrementAndGet(i);
          threads.add(Thread.currentThread());
        });
        for (int i = 0; i < n; i++) {
          assertThat(seen.get(i)).as("index %d of %d", i, n).isEqualTo(1);
        }
        if (n >= count) {
          assertThat(threads).hasSize(count).contains(Thread.currentThread());
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aFailureOnAnyProducerIsRethrown(int count) {
    try (Producers producers = new Producers(count)) {
      assertThatThrownBy(() -> producers.submitAll(100, i -> {
        if (i == 99) {
          throw new IllegalStateException("queue full");
        }
      })).isInstanceOf(IllegalStateException.class).hasMessage("queue full");
    }
  }
}
