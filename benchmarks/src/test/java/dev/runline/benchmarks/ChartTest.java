package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;

/** The PNG charts run.sh draws from JMH's JSON. */
class ChartTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void throughputHasEngineAndBaselineAtEveryPoint() throws Exception {
    List<String> runs = new ArrayList<>();
    for (int producers : new int[] {1, 2, 4}) {
      for (int workers : new int[] {1, 2}) {
        String params = "{\"producers\": \"" + producers + "\", \"workers\": \"" + workers + "\"}";
        runs.add(run("SubmitToCompleteBenchmark", "engine", "thrpt", params, "\"score\": 300000, \"scoreUnit\": \"ops/s\""));
        runs.add(run("SubmitToCompleteBenchmark", "threadPoolBaseline", "thrpt", params,
            "\"score\": 100000, \"scoreUnit\": \"ops/s\""));
      }
    }
    CategoryChart chart = Chart.throughputChart(MAPPER.readTree("[" + String.join(",", runs) + "]"), "a test machine");

    assertThat(chart.getSeriesCollection()).extracting(CategorySeries::getName)
        .containsExactly("engine", "threadPoolBaseline");
    CategorySeries engine = chart.getSeries("engine");
    assertThat(engine.getXData()).hasSize(6).first().hasToString("1 worker, 1 producer");
    assertThat(engine.getYData()).containsOnly(300.0);
    assertThat(chart.getXAxisTitle()).contains("a test machine");
  }

  @Test
  void theCaffeineBaselineIsAThirdSeriesWhenMeasured() throws Exception {
    List<String> runs = new ArrayList<>();
    for (int producers : new int[] {1, 2, 4}) {
      for (int workers : new int[] {1, 2}) {
        String params = "{\"producers\": \"" + producers + "\", \"workers\": \"" + workers + "\"}";
        for (String method : List.of("engine", "threadPoolBaseline", "threadPoolCaffeineBaseline")) {
          runs.add(run("SubmitToCompleteBenchmark", method, "thrpt", params, "\"score\": 200000, \"scoreUnit\": \"ops/s\""));
        }
      }
    }
    CategoryChart chart = Chart.throughputChart(MAPPER.readTree("[" + String.join(",", runs) + "]"), "m");

    assertThat(chart.getSeriesCollection()).extracting(CategorySeries::getName)
        .containsExactly("engine", "threadPoolBaseline", "threadPoolCaffeineBaseline");
    assertThat(chart.getSeries("threadPoolCaffeineBaseline").getYData()).hasSize(6).containsOnly(200.0);
  }

  @Test
  void latencyHasThreePercentilesPerWorkerCountAndIsWrittenAsPng(@TempDir Path dir) throws Exception {
    JsonNode results = MAPPER.readTree("[" + sample("engine", 8, 50, 900) + "," + sample("threadPoolBaseline", 20, 60, 200) + "]");
    CategoryChart chart = Chart.latencyChart(results, "a test machine");

    assertThat(chart.getSeries("engine").getXData())
        .extracting(Object::toString)
        .containsExactly("p50 · 1 worker", "p99 · 1 worker", "p99.9 · 1 worker");

    Path json = dir.resolve("results.json");
    Files.writeString(json, results.toString());
    Chart.main(new String[] {json.toString(), dir.toString()});
    for (String png : List.of(Chart.LATENCY_PNG)) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertThat(bytes).hasSizeGreaterThan(1000);
      assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
    assertThat(dir.resolve(Chart.THROUGHPUT_PNG)).doesNotExist();
  }

  @Test
  void noPairsNoChart() throws Exception {
    JsonNode results = MAPPER.readTree("[" + sample("engine", 8, 50, 900) + "]");

    assertThat(Chart.latencyChart(results, "m")).isNull();
    assertThat(Chart.throughputChart(results, "m")).isNull();
  }

  private static String sample(String method, double p50, double p99, double p999) {
    return run("RunSyncLatencyBenchmark", method, "sample", "{\"workers\": \"1\"}",
        "\"score\": " + p50 + ", \"scoreUnit\": \"us/op\", \"scorePercentiles\": {\"50.0\": " + p50
            + ", \"99.0\": " + p99 + ", \"99.9\": " + p999 + "}");
  }

  private static String run(String benchmarkClass, String method, String mode, String params, String metric) {
    return "{\"benchmark\": \"dev.runline.benchmarks." + benchmarkClass + "." + method + "\", \"mode\": \"" + mode
        + "\", \"threads\": 1, \"params\": " + params + ", \"primaryMetric\": {" + metric + "}}";
  }
}
