package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wake-up counts of WakeUps and IdleCpu, from /proc (Linux). */
class ContextSwitchesTest {

  @Test
  void aPoolsThreadsAddUpUnderOneName() {
    assertThat(ContextSwitches.group("runline-timer-3")).isEqualTo("runline-timer-*");
    assertThat(ContextSwitches.group("GC Thread#12")).isEqualTo("GC Thread#*");
    assertThat(ContextSwitches.group("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
    assertThat(ContextSwitches.group("worker7")).isEqualTo("worker*");
  }

  @Test
  void everyThreadCountsEvenOneThatEndedDuringTheWindow() throws Exception {
    assumeTrue(ContextSwitches.available(), "Linux /proc/self/task/*/status");
    ContextSwitches.Window window = ContextSwitches.start(Duration.ofMillis(5));
    Thread sleeper = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "ctxsw-test-sleeper");
    sleeper.start();
    sleeper.join();
    Thread.sleep(50);
    ContextSwitches.Counts counts = window.stop();

    // 200 sleeps, each a voluntary switch, by a thread that no longer exists at the end.
    assertThat(counts.voluntary()).isGreaterThanOrEqualTo(150);
    // /proc keeps the first 15 characters of a thread's name.
    assertThat(counts.voluntaryByThread()).containsKey("ctxsw-test-slee");
    assertThat(counts.voluntaryByThread()).doesNotContainKey(ContextSwitches.SAMPLER);
  }

  @Test
  void descendingAndWithoutZeros() {
    assertThat(ContextSwitches.sortedDescending(Map.of("a", 1L, "b", 5L, "c", 0L)))
        .containsExactly(Map.entry("b", 5L), Map.entry("a", 1L));
  }
}
