package dev.runline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.benchmarks.Report.Extras;
import dev.runline.benchmarks.Report.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary run.sh prints, from JMH JSON shaped as JMH 1.37 writes it. */
class ReportTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  // ---- the per-benchmark tables ----------------------------------------------------------------

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
  void theCaffeineBaselineGetsItsOwnColumnAndRatio() throws Exception {
    String params = "{\"producers\": \"1\", \"workers\": \"2\"}";
    String summary = Report.summarize(results(
        throughput("engine", params, 300_000, 1_000),
        throughput("threadPoolBaseline", params, 150_000, 1_000),
        throughput("threadPoolCaffeineBaseline", params, 100_000, 1_000)), "results.json");

    assertThat(summary)
        .contains("| producers | workers | engine (ops/s) | baseline (ops/s) | Caffeine baseline (ops/s) "
            + "| engine / baseline | engine / Caffeine baseline |")
        .contains("| 1 | 2 | 300,000 ± 1,000 | 150,000 ± 1,000 | 100,000 ± 1,000 | 2.00 | 3.00 |");
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

    assertThat(summary).contains("| 4 | 1,000 | – |");
  }

  @Test
  void aClassWithoutEngineListsItsRuns() throws Exception {
    String summary = Report.summarize(results(run("VectorSearchBenchmark", "batchOfJobs", "thrpt",
        "{\"batch\": \"64\"}", "\"score\": 120.4, \"scoreError\": \"NaN\", \"scoreUnit\": \"ops/s\"")), "r.json");

    assertThat(summary)
        .contains("## VectorSearchBenchmark")
        .contains("| benchmark | batch | score (ops/s) |")
        .contains("| `batchOfJobs` | 64 | 120 |");
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
    assertThat(Report.small(0.0123)).isEqualTo("0.012");
    assertThat(Report.plain(1.0)).isEqualTo("1");
    assertThat(Report.plain(1.5)).isEqualTo("1.5");
  }

  @Test
  void producersComeBeforeWorkersInTheTable() throws Exception {
    String summary = Report.summarize(results(
        throughput("engine", "{\"intake\": \"BLOCKING\", \"producers\": \"4\", \"workers\": \"1\"}", 300_000, 1_000),
        throughput("threadPoolBaseline", "{\"producers\": \"4\", \"workers\": \"1\"}", 100_000, 1_000)), "results.json");

    assertThat(summary)
        .contains("| producers | workers | intake | engine (ops/s) | baseline (ops/s) | engine / baseline |")
        .contains("| 4 | 1 | BLOCKING | 300,000 ± 1,000 | 100,000 ± 1,000 | 3.00 |");
  }

  // ---- merging rounds --------------------------------------------------------------------------

  @Test
  void roundsOfTheSameBenchmarkAndParametersMergeIntoTheMedian() throws Exception {
    String params = "{\"producers\": \"1\", \"workers\": \"2\"}";
    JsonNode merged = Report.merge(List.of(
        results(throughput("engine", params, 300_000, 1_000)),
        results(throughput("threadPoolBaseline", params, 100_000, 1_000)),
        results(throughput("engine", params, 200_000, 1_000)),
        results(throughput("threadPoolBaseline", params, 120_000, 1_000)),
        results(throughput("engine", params, 260_000, 1_000)),
        results(throughput("threadPoolBaseline", params, 90_000, 1_000))));

    assertThat(merged).hasSize(2);
    JsonNode engine = Report.runs(merged, Report.SUBMIT, Report.ENGINE).get(0);
    assertThat(Report.score(engine)).isEqualTo(260_000);
    assertThat(Report.rounds(engine)).isEqualTo(3);
    assertThat(engine.path("forks").asInt()).isEqualTo(3);
    assertThat(engine.path("primaryMetric").path("roundScores")).extracting(JsonNode::asDouble)
        .containsExactly(300_000.0, 200_000.0, 260_000.0);
    // JMH's error bar of one fork does not describe the median of several; the rounds' range does.
    assertThat(engine.path("primaryMetric").path("scoreError").asDouble(0)).isNaN();
    assertThat(Report.scoreCell(engine)).isEqualTo("260,000 (200,000–300,000)");
    assertThat(Report.score(Report.runs(merged, Report.SUBMIT, Report.BASELINE).get(0))).isEqualTo(100_000);
  }

  @Test
  void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo() {
    assertThat(Report.median(4, 1, 3, 2)).isEqualTo(2.5);
    assertThat(Report.median(7)).isEqualTo(7);
    assertThat(Report.median()).isNaN();
  }

  @Test
  void differentParametersStaySeparateAndOneRunPassesThrough() throws Exception {
    JsonNode merged = Report.merge(List.of(results(
        throughput("engine", "{\"producers\": \"1\", \"workers\": \"1\"}", 300_000, 1_000),
        throughput("engine", "{\"producers\": \"1\", \"workers\": \"2\"}", 200_000, 2_000))));

    assertThat(merged).hasSize(2);
    assertThat(Report.rounds(merged.get(0))).isEqualTo(1);
    assertThat(Report.scoreCell(merged.get(0))).isEqualTo("300,000 ± 1,000");
  }

  @Test
  void sampleRoundsMergeEachPercentileAndKeepEverySample() throws Exception {
    JsonNode merged = Report.merge(List.of(
        results(sample("engine", 8.0, 50.0, 900.0)),
        results(sample("engine", 12.0, 40.0, 700.0)),
        results(sample("engine", 10.0, 60.0, 800.0))));

    JsonNode engine = merged.get(0);
    assertThat(Report.percentilesMicros(engine)).containsExactly(10.0, 50.0, 800.0);
    assertThat(engine.path("primaryMetric").path("rawDataHistogram")).hasSize(3);
    assertThat(Report.summarize(merged, "r.json")).contains("| 1 | engine | 10.0 | 50.0 | 800 | 90 |");
  }

  @Test
  void mainMergesAFolderOfRoundsAndWritesTheSummaryAndTheMergedResults(@TempDir Path dir) throws Exception {
    String params = "{\"producers\": \"1\", \"workers\": \"2\"}";
    Path rounds = dir.resolve("rounds");
    for (int round = 1; round <= 2; round++) {
      Path roundDir = Files.createDirectories(rounds.resolve("round-0" + round));
      Files.writeString(roundDir.resolve("01-engine.json"), "[" + throughput("engine", params, 100_000 * round, 1) + "]");
      Files.writeString(roundDir.resolve("02-baseline.json"),
          "[" + throughput("threadPoolBaseline", params, 50_000 * round, 1) + "]");
    }
    Files.writeString(rounds.resolve("rounds.json"), "{\"rounds\": 2, \"completedRounds\": 2, \"cpus\": 2,"
        + " \"loadAverages\": [\"1.50 1.20 1.00\", \"2.50 1.40 1.10\"], \"steps\": [\"a\", \"b\"]}");
    Path summary = dir.resolve("summary.md");
    Path merged = dir.resolve("merged.json");

    Report.main(new String[] {rounds.toString(), summary.toString(), "--merged", merged.toString(),
        "--note", "Measured: commit abc."});

    assertThat(Files.readString(summary))
        .contains("From `rounds/ (4 JMH result files)`")
        .contains("2 of 2 round(s) run, 2 fork(s) each. Load average (1, 5, 15 min) at the start of round 1: "
            + "1.50 1.20 1.00; of round 2: 2.50 1.40 1.10")
        .contains("Measured: commit abc.")
        .contains("| 1 | 2 | 150,000 (100,000–200,000) | 75,000 (50,000–100,000) | 2.00 |");
    JsonNode mergedJson = MAPPER.readTree(merged.toFile());
    assertThat(mergedJson).hasSize(2);
    assertThat(Report.rounds(mergedJson.get(0))).isEqualTo(2);
  }

  // ---- the targets -----------------------------------------------------------------------------

  @Test
  void theTargetsAreTheIssuesRowsInItsOrder() throws Exception {
    List<Report.Target> targets = Report.targets(results(sample("engine", 8.0, 50.0, 900.0)), Extras.NONE);

    assertThat(targets).extracting(Report.Target::what).satisfiesExactly(
        w -> assertThat(w).contains("engine vs `threadPoolBaseline`").contains("every point"),
        w -> assertThat(w).contains("engine vs `threadPoolCaffeineBaseline`"),
        w -> assertThat(w).contains("runSync").contains("1 worker"),
        w -> assertThat(w).contains("runSync").contains("2 workers"),
        w -> assertThat(w).startsWith("HTTP"),
        w -> assertThat(w).startsWith("heap overhead"),
        w -> assertThat(w).contains("batched path"),
        w -> assertThat(w).contains("HTTP /runsync"),
        w -> assertThat(w).startsWith("CPU of an idle engine with 10 endpoints"));
    assertThat(targets).extracting(Report.Target::must).containsExactly(
        "≥ 1.0×", "≥ 2.0×", "≤ 1.5× baseline p50", "≤ 1.5× baseline p50", "≥ 0.5×", "≤ 200 B", "≤ 1 per job",
        "≤ 2 per request", "< 1% of one core");
    assertThat(targets).extracting(Report.Target::beyond).containsExactly(
        "≥ 2.0×", "≥ 3.0×", "≤ 10 µs", "≤ 10 µs", "≥ 0.7×", "≤ 128 B", "–", "–", "–");
  }

  @Test
  void targetsNotInTheRunSayNotMeasured() throws Exception {
    String summary = Report.summarize(results(throughput("engine", "{\"workers\": \"4\"}", 1_000, Double.NaN)), "r.json");

    assertThat(summary)
        .contains("## Targets")
        .contains("| target | measured | baseline | ratio | must | beyond | met |")
        .contains("| heap overhead per retained COMPLETED job (1,000,000 retained) | not measured in this run | – | – "
            + "| ≤ 200 B | ≤ 128 B | – |")
        .contains("| CPU of an idle engine with 10 endpoints | not measured in this run | – | – | < 1% of one core | – | – |")
        .doesNotContain("limiter + store share of per-job cost |");
  }

  @Test
  void aTargetIsBeyondOnlyWhenItsMustHoldsToo() {
    assertThat(Level.of(true, true)).isEqualTo(Level.BEYOND);
    assertThat(Level.of(true, false)).isEqualTo(Level.MUST);
    assertThat(Level.of(false, true)).isEqualTo(Level.NO);
    assertThat(Level.of(true, null)).isEqualTo(Level.MUST);
    assertThat(Level.BEYOND.cell()).isEqualTo("**beyond**");
  }

  @Test
  void throughputTargetsAreDecidedByTheWorstOfAllSixPoints() throws Exception {
    // engine / baseline 2.5× everywhere but 1.5× at 4 producers and 1 worker; engine / Caffeine 3.5× everywhere.
    JsonNode results = sixPoints(p -> p[0] == 4 && p[1] == 1 ? 150_000 : 250_000, 100_000, p -> 250_000.0 / 3.5);
    List<Report.Target> targets = Report.targets(results, Extras.NONE);

    Report.Target plain = targets.get(0);
    assertThat(plain.measured()).contains("worst: 150,000 at 4 producer(s), 1 worker(s)")
        .contains("6 of 6 points ≥ 1.0×, 5 ≥ 2.0×");
    assertThat(plain.ratio()).isEqualTo("1.50×");
    assertThat(plain.met()).isEqualTo(Level.MUST);

    Report.Target caffeine = targets.get(1);
    assertThat(caffeine.ratio()).isEqualTo("2.10×");
    assertThat(caffeine.met()).isEqualTo(Level.MUST);

    assertThat(Report.targets(sixPoints(p -> 250_000, 100_000, p -> 80_000), Extras.NONE))
        .extracting(Report.Target::met).startsWith(Level.BEYOND, Level.BEYOND);
    assertThat(Report.targets(sixPoints(p -> p[1] == 2 ? 90_000 : 250_000, 100_000, p -> 100_000), Extras.NONE))
        .extracting(Report.Target::met).startsWith(Level.NO, Level.NO);
  }

  @Test
  void aPointLeftOutLeavesTheEveryPointTargetUndecided() throws Exception {
    String params = "{\"producers\": \"1\", \"workers\": \"2\"}";
    Report.Target target = Report.targets(results(
        throughput("engine", params, 300_000, 1_000),
        throughput("threadPoolBaseline", params, 100_000, 1_000)), Extras.NONE).get(0);

    assertThat(target.measured()).contains("only 1 of 6 points measured");
    assertThat(target.ratio()).isEqualTo("3.00×");
    assertThat(target.met()).isNull();
    assertThat(target.metCell()).isEqualTo("–");
  }

  @Test
  void runSyncP50MustBeWithinOneAndAHalfBaselinesAndBeyondTenMicroseconds() throws Exception {
    assertThat(p50(8.0, 20.0).met()).isEqualTo(Level.BEYOND);
    assertThat(p50(12.0, 10.0).met()).isEqualTo(Level.MUST);
    assertThat(p50(16.0, 10.0).met()).isEqualTo(Level.NO);
    // Under 10 µs, but 1.8× a fast baseline: the must level fails, so beyond does not count.
    assertThat(p50(9.0, 5.0).met()).isEqualTo(Level.NO);

    Report.Target target = p50(12.0, 10.0);
    assertThat(target.measured()).isEqualTo("12.0");
    assertThat(target.baseline()).isEqualTo("10.0");
    assertThat(target.ratio()).isEqualTo("1.20×");
  }

  @Test
  void latencyInNanosecondsIsConvertedToMicroseconds() throws Exception {
    String engine = run("RunSyncLatencyBenchmark", "engine", "sample", "{\"workers\": \"1\"}",
        "\"score\": 8000, \"scoreError\": 1.0, \"scoreUnit\": \"ns/op\","
            + " \"scorePercentiles\": {\"50.0\": 8000, \"99.0\": 50000, \"99.9\": 900000}");

    assertThat(Report.percentilesMicros(MAPPER.readTree(engine))).containsExactly(8.0, 50.0, 900.0);
    assertThat(Report.unitNanos("s/op")).isEqualTo(1e9);
    assertThat(Report.unitNanos("us/op")).isEqualTo(1e3);
  }

  @Test
  void httpTargetIsTheRatioOfMediansAndRefusalsFailIt() throws Exception {
    assertThat(httpTarget(http(21_000, 30_000, 0)).met()).isEqualTo(Level.BEYOND);
    assertThat(httpTarget(http(18_000, 30_000, 0)).met()).isEqualTo(Level.MUST);
    assertThat(httpTarget(http(12_000, 30_000, 0)).met()).isEqualTo(Level.NO);
    Report.Target refused = httpTarget(http(21_000, 30_000, 12));
    assertThat(refused.measured()).contains("12 non-2xx");
    assertThat(refused.met()).isEqualTo(Level.NO);

    Report.Target met = httpTarget(http(21_000, 30_000, 0));
    assertThat(met.measured()).isEqualTo("21,000");
    assertThat(met.baseline()).isEqualTo("30,000");
    assertThat(met.ratio()).isEqualTo("0.70×");
    assertThat(Report.summarize(results(sample("engine", 8.0, 50.0, 900.0)), "r.json",
            new Extras(null, http(21_000, 30_000, 0), null, null, null)))
        .contains("## HTTP (wrk on loopback)")
        .contains("Requests spread over 256 API keys")
        .contains("| POST /v2/echo/runsync | 21,000 | 20,000; 22,000 | 3.00 | 9.00 | 0 | 0 | 1.500 |");
  }

  @Test
  void httpWakeUpsAreTheServersSwitchesPerRunsyncRequest() throws Exception {
    Report.Target target = Report.httpWakeUpsTarget(http(21_000, 30_000, 0));
    assertThat(target.measured()).isEqualTo("1.500 (315,000 over 210,000 requests)");
    assertThat(target.baseline()).isEqualTo("0.250 (/ping)");
    assertThat(target.met()).isEqualTo(Level.MUST);

    JsonNode tooMany = http(21_000, 30_000, 0);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tooMany.path("runsync")).put("switchesPerRequest", 2.5);
    assertThat(Report.httpWakeUpsTarget(tooMany).met()).isEqualTo(Level.NO);
    assertThat(Report.httpWakeUpsTarget(null).measured()).isEqualTo("not measured in this run");
  }

  @Test
  void memoryTargetIsTheOverheadBeyondTheOutput() throws Exception {
    Report.Target target = Report.memoryTarget(memory(312.0));
    assertThat(target.measured()).isEqualTo("280 B (312 B per job less the output's 32.0 B)");
    assertThat(target.baseline()).isEqualTo("threadPoolBaseline: 208 B; Caffeine: 250 B");
    assertThat(target.met()).isEqualTo(Level.NO);
    assertThat(Report.memoryTarget(memory(32 + 150.0)).met()).isEqualTo(Level.MUST);
    assertThat(Report.memoryTarget(memory(32 + 128.0)).met()).isEqualTo(Level.BEYOND);

    String summary = Report.summarize(results(sample("engine", 8.0, 50.0, 900.0)), "r.json",
        new Extras(memory(312.0), null, null, null, null));
    assertThat(summary)
        .contains("## Retained memory")
        .contains("| engine | 312 | 32 | 280 |")
        .contains("| baseline (ThreadPoolJobs, ConcurrentHashMap) | 240 | 32 | 208 |")
        .contains("| baseline (ThreadPoolJobs, Caffeine 30 min) | 282 | 32 | 250 |");
  }

  @Test
  void batchedWakeUpsAreTheEnginesSwitchesPerJob() throws Exception {
    Report.Target met = Report.batchedWakeUpsTarget(wakeUps(0.8));
    assertThat(met.measured()).isEqualTo("0.800 (240,000 over 300,000 jobs)");
    assertThat(met.baseline()).isEqualTo("0.200 (threadPoolBaseline)");
    assertThat(met.ratio()).isEqualTo("4.00×");
    assertThat(met.met()).isEqualTo(Level.MUST);
    assertThat(Report.batchedWakeUpsTarget(wakeUps(1.2)).met()).isEqualTo(Level.NO);

    assertThat(Report.summarize(results(sample("engine", 8.0, 50.0, 900.0)), "r.json",
            new Extras(null, null, wakeUps(0.8), null, null)))
        .contains("## Wake-ups in the batched path")
        .contains("| engine | 250,000 | 240,000 | 0.800 | 0.100 | runline-noop-* 200,000; java 40,000 |");
  }

  @Test
  void idleCpuMustStayUnderOnePercentOfOneCore() throws Exception {
    Report.Target met = Report.idleTarget(idle(0.5));
    assertThat(met.measured()).isEqualTo("0.50% of one core over 10.0 s (10 endpoints)");
    assertThat(met.baseline()).isEqualTo("0.20% (the JVM before the engine)");
    assertThat(met.met()).isEqualTo(Level.MUST);
    assertThat(Report.idleTarget(idle(1.0)).met()).isEqualTo(Level.NO);

    assertThat(Report.summarize(results(sample("engine", 8.0, 50.0, 900.0)), "r.json",
            new Extras(null, null, null, idle(0.5), null)))
        .contains("## Idle engine")
        .contains("| engine with 10 endpoints | 0.05 | 0.50 | 12.0 |")
        .contains("| the JVM before the engine started | 0.01 | 0.20 | 8.00 |");
  }

  @Test
  void theLimiterAndStoreShareIsInformationalNotATarget() throws Exception {
    JsonNode results = results(
        average("PerJobCostBenchmark", "jobRecordOnly", 400),
        average("PerJobCostBenchmark", "storeLifecycle", 900),
        average("PerJobCostBenchmark", "limiterOn", 60),
        average("PerJobCostBenchmark", "limiterOff", 10),
        run("LimiterCostBenchmark", "engine", "thrpt", "{\"limits\": \"on\", \"workers\": \"2\"}",
            "\"score\": 200000, \"scoreError\": 1000, \"scoreUnit\": \"ops/s\""),
        run("LimiterCostBenchmark", "engine", "thrpt", "{\"limits\": \"off\", \"workers\": \"2\"}",
            "\"score\": 250000, \"scoreError\": 1000, \"scoreUnit\": \"ops/s\""));

    Report.Share share = Report.share(results);
    assertThat(share.storeNanos()).isEqualTo(500);
    assertThat(share.limiterNanos()).isEqualTo(50);
    assertThat(share.jobNanos()).isEqualTo(5000);
    assertThat(share.share()).isEqualTo(0.11, Offset.offset(1e-9));

    assertThat(Report.targets(results, Extras.NONE)).noneMatch(t -> t.what().contains("limiter"));
    assertThat(Report.summarize(results, "r.json"))
        .contains("## Limiter + store share of per-job cost (informational)")
        .contains("Limiter 50.0 ns + store 500 ns = 550 ns per job, against a job of 5,000 ns")
        .contains(": 11.0%.")
        .contains("limits on 200,000 jobs/s, off 250,000 jobs/s")
        .contains("## PerJobCostBenchmark")
        .contains("| `storeLifecycle` | 900 ± 1.00 |");
  }

  @Test
  void notesGoAfterTheFirstParagraph() throws Exception {
    String summary = Report.summarize(results(sample("engine", 8.0, 50.0, 900.0)), "r.json");

    assertThat(Report.withNotes(summary, List.of("Load average: 7.85 8.06 6.50.", "Engine: commit abc1234.")))
        .containsSubsequence("From `r.json`", "\n\nLoad average: 7.85 8.06 6.50.\n\nEngine: commit abc1234.\n\n",
            "Each engine figure");
    assertThat(Report.withNotes(summary, List.of())).isEqualTo(summary);
  }

  // ---- fixtures --------------------------------------------------------------------------------

  private interface PointScore {
    double at(int[] point);
  }

  /** Engine, baseline and Caffeine-baseline runs at all six points of producers × workers. */
  private static JsonNode sixPoints(PointScore engine, double baseline, PointScore caffeine) throws Exception {
    List<String> runs = new ArrayList<>();
    for (int producers : new int[] {1, 2, 4}) {
      for (int workers : new int[] {1, 2}) {
        int[] point = {producers, workers};
        String params = "{\"producers\": \"" + producers + "\", \"workers\": \"" + workers + "\"}";
        runs.add(throughput("engine", "{\"intake\": \"PHASED\", " + params.substring(1), engine.at(point), 1_000));
        runs.add(throughput("threadPoolBaseline", params, baseline, 1_000));
        runs.add(throughput("threadPoolCaffeineBaseline", params, caffeine.at(point), 1_000));
      }
    }
    return results(runs.toArray(String[]::new));
  }

  private static Report.Target p50(double engine, double baseline) throws Exception {
    return Report.targets(results(
        sample("engine", engine, 50.0, 900.0),
        sample("threadPoolBaseline", baseline, 60.0, 200.0)), Extras.NONE).stream()
        .filter(t -> t.what().contains("runSync") && t.what().endsWith("1 worker")).findFirst().orElseThrow();
  }

  private static Report.Target httpTarget(JsonNode http) {
    return Report.targets(MAPPER.createArrayNode(), new Extras(null, http, null, null, null)).stream()
        .filter(((Predicate<Report.Target>) t -> t.what().startsWith("HTTP"))).findFirst().orElseThrow();
  }

  private static JsonNode http(double runSyncRps, double pingRps, int non2xx) throws Exception {
    return MAPPER.readTree("{\"threads\": 2, \"connections\": 64, \"durationSeconds\": 5, \"rounds\": 2,"
        + " \"apiKeys\": 256, \"wrk\": \"wrk 4.1.0\", \"server\": \"runline-server\","
        + " \"ping\": {\"request\": \"GET /ping\", \"rps\": [" + (pingRps - 1000) + ", " + (pingRps + 1000) + "],"
        + " \"medianRps\": " + pingRps + ", \"p50Ms\": 1.0, \"p99Ms\": 5.0, \"non2xx\": 0, \"socketErrors\": 0,"
        + " \"requests\": 300000, \"voluntarySwitches\": 75000, \"switchesPerRequest\": 0.25},"
        + " \"runsync\": {\"request\": \"POST /v2/echo/runsync\", \"rps\": [" + (runSyncRps - 1000) + ", "
        + (runSyncRps + 1000) + "], \"medianRps\": " + runSyncRps + ", \"p50Ms\": 3.0, \"p99Ms\": 9.0,"
        + " \"non2xx\": " + non2xx + ", \"socketErrors\": 0, \"requests\": 210000, \"voluntarySwitches\": 315000,"
        + " \"switchesPerRequest\": 1.5}, \"ratio\": " + (runSyncRps / pingRps) + "}");
  }

  private static JsonNode memory(double retained) throws Exception {
    return MAPPER.readTree("{\"jobs\": 1000000, \"outputBytes\": 32, \"output\": \"{ok=true}\","
        + " \"heapBeforeBytes\": 1000, \"heapAfterBytes\": 312001000, \"retainedBytesPerJob\": " + retained + ","
        + " \"overheadBytesPerJob\": " + (retained - 32) + ", \"baselineRetainedBytesPerJob\": 240.0,"
        + " \"baselineOverheadBytesPerJob\": 208.0, \"caffeineBaselineRetainedBytesPerJob\": 282.0,"
        + " \"caffeineBaselineOverheadBytesPerJob\": 250.0, \"gc\": \"G1\"}");
  }

  private static JsonNode wakeUps(double enginePerJob) throws Exception {
    long jobs = 300_000;
    return MAPPER.readTree("{\"jobs\": " + jobs + ", \"warmupJobs\": 50000, \"batch\": 1000, \"producers\": 1,"
        + " \"workers\": 2, \"source\": \"/proc\","
        + " \"engine\": {\"jobs\": " + jobs + ", \"jobsPerSecond\": 250000, \"voluntarySwitches\": "
        + Math.round(enginePerJob * jobs) + ", \"involuntarySwitches\": 30000, \"perJob\": " + enginePerJob + ","
        + " \"byThread\": {\"runline-noop-*\": 200000, \"java\": 40000}},"
        + " \"threadPoolBaseline\": {\"jobs\": " + jobs + ", \"jobsPerSecond\": 500000, \"voluntarySwitches\": 60000,"
        + " \"involuntarySwitches\": 3000, \"perJob\": 0.2, \"byThread\": {\"baseline-worker\": 60000}}}");
  }

  private static JsonNode idle(double percent) throws Exception {
    return MAPPER.readTree("{\"endpoints\": 10, \"workersPerEndpoint\": 2, \"idleSeconds\": 10.0,"
        + " \"cpuSeconds\": " + (percent / 10) + ", \"percentOfOneCore\": " + percent + ", \"wakeupsPerSecond\": 12.0,"
        + " \"jvmAlone\": {\"idleSeconds\": 5.0, \"cpuSeconds\": 0.01, \"percentOfOneCore\": 0.2,"
        + " \"wakeupsPerSecond\": 8.0}}");
  }

  private static String average(String benchmarkClass, String method, double nanos) {
    return run(benchmarkClass, method, "avgt", "{}",
        "\"score\": " + nanos + ", \"scoreError\": 1.0, \"scoreUnit\": \"ns/op\"");
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
