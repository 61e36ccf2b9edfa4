package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.testing.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Long polls' deadlines: each runs once at its millisecond unless cancelled, with one timer per millisecond. */
class WaitDeadlinesTest {
  private final FakeTime time = new FakeTime();
  private final WaitDeadlines deadlines = new WaitDeadlines(time, time);
  private final List<String> fired = new CopyOnWriteArrayList<>();

  @Test
  void aDeadlineRunsAtItsTimeNotBefore() {
    deadlines.after(Duration.ofMillis(1500).toNanos(), () -> fired.add("a"));

    time.advance(Duration.ofMillis(1499));
    assertThat(fired).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(fired).containsExactly("a");
    time.advance(Duration.ofSeconds(10));
    assertThat(fired).as("once").containsExactly("a");
  }

  @Test
  void aCancelledDeadlineNeverRunsAndTheOthersOfItsMillisecondStillDo() {
    WaitDeadlines.Deadline a = deadlines.after(Duration.ofMillis(10).toNanos(), () -> fired.add("a"));
    deadlines.after(Duration.ofMillis(10).toNanos(), () -> fired.add("b"));
    WaitDeadlines.Deadline c = deadlines.after(Duration.ofMillis(10).toNanos(), () -> fired.add("c"));

    a.cancel();
    c.cancel();
    c.cancel();
    time.advance(Duration.ofMillis(10));

    assertThat(fired).containsExactly("b");
  }

  @Test
  void deadlinesInOneMillisecondShareOneTimer() {
    int before = time.pendingTimers();
    for (int i = 0; i < 100; i++) {
      deadlines.after(Duration.ofMillis(7).toNanos() + i, () -> fired.add("x"));
    }

    assertThat(time.pendingTimers() - before).isEqualTo(2);
    time.advance(Duration.ofMillis(8));
    assertThat(fired).hasSize(100);
  }

  @Test
  void aDeadlineAlreadyDueRunsAtOnce() {
    deadlines.after(0, () -> fired.add("now"));
    time.advance(Duration.ZERO);

    assertThat(fired).containsExactly("now");
  }
}
