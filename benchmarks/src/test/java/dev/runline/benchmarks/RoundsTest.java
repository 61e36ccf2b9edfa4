package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order in which run.sh's interleaved rounds run the benchmarks' forks. */
class RoundsTest {
  private static final String PKG = "dev.runline.benchmarks.";

  @Test
  void eachPointRunsTheEngineThenEveryBaselineBeforeTheNextPoint() {
    Map<String, List<String>> engineParams = Map.of("producers", List.of("1", "2"), "workers", List.of("1", "2"),
        "intake", List.of("PHASED"));
    Map<String, List<String>> baselineParams = Map.of("producers", List.of("1", "2"), "workers", List.of("1", "2"));
    List<Rounds.Step> steps = Rounds.plan(List.of(
        new Rounds.Method(PKG + "SubmitToCompleteBenchmark", "threadPoolCaffeineBaseline", baselineParams),
        new Rounds.Method(PKG + "SubmitToCompleteBenchmark", "engine", engineParams),
        new Rounds.Method(PKG + "SubmitToCompleteBenchmark", "threadPoolBaseline", baselineParams)));

    assertThat(steps).extracting(Rounds.Step::label).containsExactly(
        "SubmitToCompleteBenchmark.engine-producers=1,workers=1",
        "SubmitToCompleteBenchmark.threadPoolBaseline-producers=1,workers=1",
        "SubmitToCompleteBenchmark.threadPoolCaffeineBaseline-producers=1,workers=1",
        "SubmitToCompleteBenchmark.engine-producers=1,workers=2",
        "SubmitToCompleteBenchmark.threadPoolBaseline-producers=1,workers=2",
        "SubmitToCompleteBenchmark.threadPoolCaffeineBaseline-producers=1,workers=2",
        "SubmitToCompleteBenchmark.engine-producers=2,workers=1",
        "SubmitToCompleteBenchmark.threadPoolBaseline-producers=2,workers=1",
        "SubmitToCompleteBenchmark.threadPoolCaffeineBaseline-producers=2,workers=1",
        "SubmitToCompleteBenchmark.engine-producers=2,workers=2",
        "SubmitToCompleteBenchmark.threadPoolBaseline-producers=2,workers=2",
        "SubmitToCompleteBenchmark.threadPoolCaffeineBaseline-producers=2,workers=2");
    // Only the shared parameters are fixed: the engine's own (intake) keep all their values.
    assertThat(steps.get(0).params()).containsOnlyKeys("producers", "workers");
    assertThat(steps.get(0).benchmark()).isEqualTo(PKG + "SubmitToCompleteBenchmark.engine");
  }

  @Test
  void aClassWithoutBaselineRunsEachMethodWholeInItsOrder() {
    List<Rounds.Step> steps = Rounds.plan(List.of(
        new Rounds.Method(PKG + "LimiterCostBenchmark", "engine", Map.of("limits", List.of("on", "off"))),
        new Rounds.Method(PKG + "PerJobCostBenchmark", "limiterOn", Map.of()),
        new Rounds.Method(PKG + "PerJobCostBenchmark", "storeLifecycle", Map.of())));

    assertThat(steps).extracting(Rounds.Step::label).containsExactly(
        "LimiterCostBenchmark.engine", "PerJobCostBenchmark.limiterOn", "PerJobCostBenchmark.storeLifecycle");
    assertThat(steps).allSatisfy(step -> assertThat(step.params()).isEmpty());
  }

  @Test
  void pointsAreEveryCombinationWithTheFirstParameterSlowest() {
    List<Map<String, String>> points = Rounds.points(
        Map.of("producers", List.of("1", "4"), "workers", List.of("1", "2")),
        new LinkedHashSet<>(List.of("producers", "workers")));

    assertThat(points).containsExactly(
        Map.of("producers", "1", "workers", "1"), Map.of("producers", "1", "workers", "2"),
        Map.of("producers", "4", "workers", "1"), Map.of("producers", "4", "workers", "2"));
  }

  @Test
  void theLoadAverageIsThreeFigures() {
    String load = Rounds.loadAverage();
    assertThat(load.equals("unknown") || load.split(" ").length == 3).isTrue();
  }
}
