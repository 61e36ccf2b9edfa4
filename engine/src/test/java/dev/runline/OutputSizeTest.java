package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outputs are measured as JSON bytes only as far as the endpoint's limit. */
class OutputSizeTest {

  record Point(int x, String label) {}

  @Test
  void smallOutputsOfEveryShapeAreWithinALimit() {
    assertThat(OutputSize.exceeds(null, 16)).isFalse();
    assertThat(OutputSize.exceeds("hello", 16)).isFalse();
    assertThat(OutputSize.exceeds(Map.of("a", List.of(1, 2, 3)), 64)).isFalse();
    assertThat(OutputSize.exceeds(new Point(1, "p"), 64)).isFalse();
    assertThat(OutputSize.exceeds(JsonNodeFactory.instance.objectNode().put("a", "b"), 64)).isFalse();
  }

  @Test
  void largeOutputsOfEveryShapeExceedIt() {
    assertThat(OutputSize.exceeds("x".repeat(100), 64)).isTrue();
    assertThat(OutputSize.exceeds(Map.of("k", "x".repeat(100)), 64)).isTrue();
    assertThat(OutputSize.exceeds(List.of("x".repeat(40), "y".repeat(40)), 64)).isTrue();
    assertThat(OutputSize.exceeds(new Point(1, "p".repeat(100)), 64)).isTrue();
    assertThat(OutputSize.exceeds(new float[100], 64)).isTrue();
  }

  @Test
  void nestingTooDeepForJsonIsNotWalkedToTheEndOfTheStack() {
    List<Object> root = new ArrayList<>();
    List<Object> current = root;
    for (int i = 0; i < 100_000; i++) {
      List<Object> next = new ArrayList<>();
      current.add(next);
      current = next;
    }
    assertThat(OutputSize.exceeds(root, 1L << 30)).isFalse();
  }

  @Test
  void noLimitMeansNoWalk() {
    assertThat(OutputSize.exceeds("x".repeat(1000), Long.MAX_VALUE)).isFalse();
  }
}
