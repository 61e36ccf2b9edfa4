package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The summary run.sh prints, from JMH JSON shaped as JMH 1.37 writes it. */
class ReportTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void throughputIsPairedWithTheBaselineOfTheSameWorkersAndRatioed() throws Exception {
    String summary = Report.summarize(results(
        throughput("engine", "{\"intake\": \"BLOCKING\", \"workers\": \"2\"}", 100_000, 5_000),
        throughput("threadPoolBaseline", "{\"workers\": \"1\"}", 400_000, 1_000),
        throughput("threadPoolBaseline", "{\"workers\": \"2\"}", 250_000, 2_000)), "results.json");

    assertThat(summary)
        .contains("From `results.json`: JMH 1.37")
        .contains("## SubmitToCompleteBenchmark")
        .contains("| workers | intake | engine (ops/s) | baseline (ops/s) | engine / baseline |")
        .contains("| 2 | BLOCKING | 100,000 ± 5,000 | 250,000 ± 2,000 | 0.40 |");
  }

  @Test
  void sampleTimeShowsPercentilesOfBothAndTheirRatio() throws Exception {
    String summary = Report.summarize(results(
        sample("engine", 40.0, 120.0, 2000.0),
        sample("threadPoolBaseline", 20.0, 60.0, 200.0)), "results.json");

    assertThat(summary)
        .contains("| workers |  | p50 (us/op) | p99 (us/op) | p99.9 (us/op) | samples |")
        .contains("| 1 | engine | 40.0 | 120 | 2,000 | 30 |")
        .contains("| 1 | baseline | 20.0 | 60.0 | 200 | 30 |")
        .contains("|  | engine / baseline | 2.00 | 2.00 | 10.00 |  |");
  }

  @Test
  void anEngineRunWithoutBaselineIsShownWithoutRatio() throws Exception {
    String summary = Report.summarize(results(throughput("engine", "{\"workers\": \"4\"}", 1_000, Double.NaN)), "results.json");

    assertThat(summary).contains("| 4 | 1,000 | – | – |");
  }

  @Test
  void refusesWhatIsNotJmhResults() {
    assertThatThrownBy(() -> Report.summarize(MAPPER.readTree("{}"), "results.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JMH");
  }

  @Test
  void numbersKeepAFewSignificantDigits() {
    assertThat(Report.number(1234567.8)).isEqualTo("1,234,568");
    assertThat(Report.number(123.4)).isEqualTo("123");
    assertThat(Report.number(12.34)).isEqualTo("12.3");
    assertThat(Report.number(1.234)).isEqualTo("1.23");
    assertThat(Report.number(Double.NaN)).isEqualTo("–");
  }

  private static JsonNode results(String... runs) throws Exception {
    return MAPPER.readTree("[" + String.join(",", runs) + "]");
  }

  private static String throughput(String method, String params, double score, double error) {
    return run("SubmitToCompleteBenchmark", method, "thrpt", params,
        "\"score\": " + score + ", \"scoreError\": " + (Double.isNaN(error) ? "\"NaN\"" : error)
            + ", \"scorePercentiles\": {}, \"scoreUnit\": \"ops/s\"");
  }

  private static String sample(String method, double p50, double p99, double p999) {
    return run("RunSyncLatencyBenchmark", method, "sample", "{\"workers\": \"1\"}",
        "\"score\": " + p50 + ", \"scoreError\": 1.0, \"scoreUnit\": \"us/op\","
            + " \"scorePercentiles\": {\"50.0\": " + p50 + ", \"99.0\": " + p99 + ", \"99.9\": " + p999 + "},"
            + " \"rawDataHistogram\": [[[[10.0, 20], [30.0, 5]], [[11.0, 5]]]]");
  }

  private static String run(String benchmarkClass, String method, String mode, String params, String metric) {
    return "{\"jmhVersion\": \"1.37\", \"benchmark\": \"dev.runline.benchmarks." + benchmarkClass + "." + method + "\","
        + " \"mode\": \"" + mode + "\", \"threads\": 1, \"forks\": 1, \"vmName\": \"OpenJDK 64-Bit Server VM\","
        + " \"vmVersion\": \"17\", \"warmupIterations\": 1, \"warmupTime\": \"2 s\","
        + " \"measurementIterations\": 2, \"measurementTime\": \"3 s\", \"params\": " + params + ","
        + " \"primaryMetric\": {" + metric + "}, \"secondaryMetrics\": {}}";
  }
}
