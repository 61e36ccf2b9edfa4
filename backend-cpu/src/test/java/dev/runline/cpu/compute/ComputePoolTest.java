package dev.runline.cpu.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The kernels' thread pool: every task once, errors passed on, an interrupted wait returns at once. */
class ComputePoolTest {

  @Test
  void everyTaskRunsExactlyOnceOnAtMostParallelismRunners() throws Exception {
    ComputePool pool = new ComputePool(3);
    AtomicIntegerArray counts = new AtomicIntegerArray(1000);
    Set<Integer> runners = ConcurrentHashMap.newKeySet();

    pool.run(1000, (runner, task) -> {
      counts.incrementAndGet(task);
      runners.add(runner);
    });

    for (int i = 0; i < 1000; i++) {
      assertThat(counts.get(i)).isEqualTo(1);
    }
    assertThat(runners).isSubsetOf(0, 1, 2);
    assertThat(pool.runners(1000)).isEqualTo(3);
    assertThat(pool.runners(2)).isEqualTo(2);
  }

  @Test
  void oneTaskRunsOnTheCallingThread() throws Exception {
    AtomicReference<Thread> ran = new AtomicReference<>();

    new ComputePool(2).run(1, (runner, task) -> ran.set(Thread.currentThread()));

    assertThat(ran.get()).isSameAs(Thread.currentThread());
  }

  @Test
  void aTasksExceptionIsRethrownToTheCaller() {
    assertThatThrownBy(() -> new ComputePool(2).run(10, (runner, task) -> {
      if (task == 7) {
        throw new IllegalStateException("task 7 failed");
      }
    })).isInstanceOf(IllegalStateException.class).hasMessage("task 7 failed");
  }

  @Test
  void anInterruptedCallerReturnsAtOnceAndTheRestOfTheTasksIsSkipped() throws Exception {
    ComputePool pool = new ComputePool(1);
    CountDownLatch firstTaskRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        pool.run(100, (runner, task) -> {
          ran.incrementAndGet();
          firstTaskRunning.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    caller.start();
    assertThat(firstTaskRunning.await(10, TimeUnit.SECONDS)).isTrue();

    caller.interrupt();
    caller.join(10_000);
    release.countDown();

    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    // The runner finishes the task it was in, then sees the stop and takes no more.
    assertThat(ran.get()).isLessThanOrEqualTo(2);
  }
}
