package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.spi.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns JMH JSON results (one file, or the per-fork files of interleaved {@link Rounds}, which
 * it merges: per benchmark and parameters, the median of the rounds' scores) plus, when given,
 * the retained-memory, HTTP, wake-up and idle-CPU figures into a Markdown summary: first every
 * target of the performance issue with its measured value, baseline, ratio, its "must" and
 * "beyond" levels and which of them is met; then, for each benchmark class, its {@code engine}
 * method beside its baselines ({@code threadPoolBaseline}, {@code threadPoolCaffeineBaseline})
 * with the same parameters. Score modes (throughput, average time) get the scores and their
 * engine / baseline ratios; sample-time mode gets the p50, p99 and p99.9 of both.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.Report RESULTS... [SUMMARY.md]
 * [--merged MERGED.json] [--memory MEMORY.json] [--http HTTP.json] [--wakeups WAKEUPS.json]
 * [--idle IDLE.json] [--note TEXT]...}. {@code RESULTS} are JMH JSON files or folders of them
 * (searched recursively; a folder's {@code rounds.json}, which {@link Rounds} writes, adds the
 * load average of each round). The summary goes to standard output, and to {@code SUMMARY.md}
 * when given; {@code MERGED.json} gets the merged results in JMH's shape, for {@link Chart}.
 * {@code MEMORY.json} is what {@link RetainedMemory} writes, {@code HTTP.json} what
 * {@code benchmarks/http.sh} writes, {@code WAKEUPS.json} what {@link WakeUps} writes and
 * {@code IDLE.json} what {@link IdleCpu} writes.
 */
public final class Report {
  static final String ENGINE = "engine";
  static final String BASELINE = "threadPoolBaseline";
  static final String CAFFEINE_BASELINE = "threadPoolCaffeineBaseline";

  static final String SUBMIT = "SubmitToCompleteBenchmark";
  static final String RUN_SYNC = "RunSyncLatencyBenchmark";
  static final String LIMITER = "LimiterCostBenchmark";
  static final String PER_JOB = "PerJobCostBenchmark";

  // The targets of the performance issue: a "must" level and a "beyond" level each.

  /** Engine / threadPoolBaseline jobs/s at every point, at least. */
  static final double THROUGHPUT_MUST = 1.0;
  static final double THROUGHPUT_BEYOND = 2.0;
  /** Engine / threadPoolCaffeineBaseline jobs/s at every point, at least. */
  static final double CAFFEINE_MUST = 2.0;
  static final double CAFFEINE_BEYOND = 3.0;
  /** runSync p50: at most this times the baseline's p50 ... */
  static final double P50_MUST_RATIO = 1.5;
  /** ... and, beyond, at most this many µs. */
  static final double P50_BEYOND_US = 10.0;
  /** HTTP runsync requests/s over /ping requests/s, at least. */
  static final double HTTP_MUST = 0.5;
  static final double HTTP_BEYOND = 0.7;
  /** Bytes of overhead per retained COMPLETED job, at most. */
  static final double OVERHEAD_MUST_BYTES = 200;
  static final double OVERHEAD_BEYOND_BYTES = 128;
  /** Voluntary context switches per job in the batched path, at most. */
  static final double WAKEUPS_BATCHED_MUST = 1;
  /** Voluntary context switches of the server per HTTP /runsync request, at most. */
  static final double WAKEUPS_HTTP_MUST = 2;
  /** CPU of an idle engine with 10 endpoints, percent of one core, less than. */
  static final double IDLE_CPU_MUST_PERCENT = 1.0;

  /** The points the throughput targets cover: producers × workers. */
  static final int[] PRODUCERS = {1, 2, 4};
  static final int[] WORKERS = {1, 2};

  /** What each benchmark class measures, in one line; a class not listed gets its name only. */
  private static final Map<String, String> DESCRIPTIONS = Map.of(
      SUBMIT,
      "no-op jobs per second from submission to COMPLETED (one op = one job; higher is better), "
          + "each batch of 1000 submitted by `producers` threads at once; two baselines: the pool with its "
          + "records in a ConcurrentHashMap kept for ever, and the same pool with them in a Caffeine cache "
          + "that expires them 30 minutes after writing",
      RUN_SYNC,
      "round trip of one synchronous no-op job, from the call to the result in hand (lower is better)");

  private static final String[] PERCENTILES = {"50.0", "99.0", "99.9"};

  private Report() {}

  /** The optional inputs besides the JMH results; each may be {@code null}. */
  record Extras(JsonNode memory, JsonNode http, JsonNode wakeUps, JsonNode idle, JsonNode rounds) {
    static final Extras NONE = new Extras(null, null, null, null, null);
  }

  public static void main(String[] args) throws IOException {
    List<Path> inputs = new ArrayList<>();
    Path summaryFile = null;
    Path mergedFile = null;
    Path memory = null;
    Path http = null;
    Path wakeUps = null;
    Path idle = null;
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--note" -> notes.add(optionValue(args, ++i));
        case "--merged" -> mergedFile = Path.of(optionValue(args, ++i));
        case "--memory" -> memory = Path.of(optionValue(args, ++i));
        case "--http" -> http = Path.of(optionValue(args, ++i));
        case "--wakeups" -> wakeUps = Path.of(optionValue(args, ++i));
        case "--idle" -> idle = Path.of(optionValue(args, ++i));
        default -> {
          if (args[i].endsWith(".md")) {
            summaryFile = Path.of(args[i]);
          } else {
            inputs.add(Path.of(args[i]));
          }
        }
      }
    }
    if (inputs.isEmpty()) {
      usage();
    }
    ObjectMapper mapper = Json.mapper();
    List<JsonNode> files = new ArrayList<>();
    JsonNode roundsMeta = null;
    int fileCount = 0;
    for (Path input : inputs) {
      for (Path file : resultFiles(input)) {
        files.add(mapper.readTree(file.toFile()));
        fileCount++;
      }
      Path meta = input.resolve("rounds.json");
      if (Files.isDirectory(input) && Files.isRegularFile(meta)) {
        roundsMeta = mapper.readTree(meta.toFile());
      }
    }
    JsonNode results = merge(files);
    if (mergedFile != null) {
      Files.writeString(mergedFile, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
    }
    String source = inputs.size() == 1 && Files.isRegularFile(inputs.get(0))
        ? inputs.get(0).getFileName().toString()
        : String.join(", ", inputs.stream().map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).toList())
            + " (" + fileCount + " JMH result files)";
    String summary = summarize(results, source, new Extras(read(mapper, memory), read(mapper, http),
        read(mapper, wakeUps), read(mapper, idle), roundsMeta));
    summary = withNotes(summary, notes);
    System.out.print(summary);
    if (summaryFile != null) {
      Files.writeString(summaryFile, summary);
    }
  }

  private static JsonNode read(ObjectMapper mapper, Path file) throws IOException {
    return file == null ? null : mapper.readTree(file.toFile());
  }

  /** {@code input} itself, or every {@code .json} file under it but {@code rounds.json}, in path order. */
  static List<Path> resultFiles(Path input) throws IOException {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (Stream<Path> walk = Files.walk(input)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> !p.getFileName().toString().equals("rounds.json"))
          .sorted()
          .toList();
    }
  }

  private static String optionValue(String[] args, int i) {
    if (i >= args.length) {
      usage();
    }
    return args[i];
  }

  private static void usage() {
    System.err.println("usage: Report RESULTS.json|DIR... [SUMMARY.md] [--merged MERGED.json] [--memory MEMORY.json]"
        + " [--http HTTP.json] [--wakeups WAKEUPS.json] [--idle IDLE.json] [--note TEXT]...");
    System.exit(2);
  }

  /**
   * {@code summary} with {@code notes} (e.g. the machine's load and the commit measured, as
   * run.sh passes them), one paragraph each, after its first paragraph.
   */
  static String withNotes(String summary, List<String> notes) {
    if (notes.isEmpty()) {
      return summary;
    }
    StringBuilder text = new StringBuilder();
    for (String note : notes) {
      text.append(note.strip()).append("\n\n");
    }
    int afterFirstParagraph = summary.indexOf("\n\n", summary.indexOf("From `")) + 2;
    return summary.substring(0, afterFirstParagraph) + text + summary.substring(afterFirstParagraph);
  }

  // ---- merging rounds --------------------------------------------------------------------

  /**
   * The runs of several JMH result files merged into one JMH-shaped array: the runs of the same
   * benchmark, mode, thread count and parameters (one per round) become one, whose score is the
   * median of their scores (and each percentile the median of theirs), with {@code rounds} (how
   * many were merged), {@code primaryMetric.roundScores} (each round's score, in file order),
   * the forks' raw data side by side, and no JMH error bar when more than one was merged (the
   * rounds' spread stands for it). A single run passes through with {@code rounds} = 1.
   */
  static JsonNode merge(List<JsonNode> files) {
    Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
    for (JsonNode file : files) {
      if (!file.isArray()) {
        throw new IllegalArgumentException("expected JMH's JSON results: an array of runs");
      }
      for (JsonNode run : file) {
        byKey.computeIfAbsent(key(run), k -> new ArrayList<>()).add(run);
      }
    }
    ArrayNode merged = Json.mapper().createArrayNode();
    for (List<JsonNode> runs : byKey.values()) {
      merged.add(mergeRuns(runs));
    }
    return merged;
  }

  private static String key(JsonNode run) {
    return run.path("benchmark").asText() + "|" + run.path("mode").asText() + "|" + run.path("threads").asInt()
        + "|" + params(run);
  }

  private static JsonNode mergeRuns(List<JsonNode> runs) {
    ObjectNode merged = runs.get(0).deepCopy();
    merged.put("rounds", runs.size());
    int forks = 0;
    for (JsonNode run : runs) {
      forks += run.path("forks").asInt(1);
    }
    merged.put("forks", forks);
    List<JsonNode> primaries = new ArrayList<>();
    for (JsonNode run : runs) {
      primaries.add(run.path("primaryMetric"));
    }
    merged.set("primaryMetric", mergeMetric(primaries));
    JsonNode secondaries = runs.get(0).path("secondaryMetrics");
    if (secondaries.isObject() && !secondaries.isEmpty()) {
      ObjectNode mergedSecondaries = Json.mapper().createObjectNode();
      for (Iterator<String> names = secondaries.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        List<JsonNode> metrics = new ArrayList<>();
        for (JsonNode run : runs) {
          if (run.path("secondaryMetrics").has(name)) {
            metrics.add(run.path("secondaryMetrics").path(name));
          }
        }
        mergedSecondaries.set(name, mergeMetric(metrics));
      }
      merged.set("secondaryMetrics", mergedSecondaries);
    }
    return merged;
  }

  private static ObjectNode mergeMetric(List<JsonNode> metrics) {
    ObjectNode merged = metrics.get(0).deepCopy();
    double[] scores = new double[metrics.size()];
    ArrayNode roundScores = merged.putArray("roundScores");
    for (int i = 0; i < scores.length; i++) {
      scores[i] = metrics.get(i).path("score").asDouble(Double.NaN);
      roundScores.add(scores[i]);
    }
    merged.put("score", median(scores));
    if (metrics.size() > 1) {
      merged.put("scoreError", "NaN");
      merged.remove("scoreConfidence");
      JsonNode percentiles = metrics.get(0).path("scorePercentiles");
      if (percentiles.isObject()) {
        ObjectNode mergedPercentiles = Json.mapper().createObjectNode();
        for (Iterator<String> names = percentiles.fieldNames(); names.hasNext(); ) {
          String p = names.next();
          double[] values = new double[metrics.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = metrics.get(i).path("scorePercentiles").path(p).asDouble(Double.NaN);
          }
          mergedPercentiles.put(p, median(values));
        }
        merged.set("scorePercentiles", mergedPercentiles);
      }
      for (String raw : List.of("rawData", "rawDataHistogram")) {
        if (merged.has(raw)) {
          ArrayNode all = Json.mapper().createArrayNode();
          for (JsonNode metric : metrics) {
            metric.path(raw).forEach(all::add);
          }
          merged.set(raw, all);
        }
      }
    }
    return merged;
  }

  /** The median (the mean of the middle two for an even count); NaN for none. */
  static double median(double... values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** How many rounds a (merged) run's figure is the median of; 1 for a plain JMH run. */
  static int rounds(JsonNode run) {
    return run.path("rounds").asInt(1);
  }

  // ---- the summary -------------------------------------------------------------------------

  /** The Markdown summary of {@code results}, JMH's JSON array of runs, read from {@code source}. */
  static String summarize(JsonNode results, String source) {
    return summarize(results, source, Extras.NONE);
  }

  /** The Markdown summary of {@code results} with the other figures in {@code extras} (each may be null). */
  static String summarize(JsonNode results, String source, Extras extras) {
    if (!results.isArray() || results.isEmpty()) {
      throw new IllegalArgumentException("expected JMH's JSON results: a non-empty array of runs");
    }
    StringBuilder out = new StringBuilder("# Runline benchmarks\n\n");
    out.append("From `").append(source).append("`: ").append(runShape(results)).append("\n\n");
    out.append("Each engine figure is paired with its thread-pool baselines of the same parameters: "
        + "a ThreadPoolExecutor (with a ConcurrentHashMap of job records, or a Caffeine cache of them, where jobs are "
        + "queried later), as a user would write without Runline. ");
    int maxRounds = 1;
    for (JsonNode run : results) {
      maxRounds = Math.max(maxRounds, rounds(run));
    }
    if (maxRounds > 1) {
      out.append("Each figure is the median of the rounds' scores (every round one fork of each benchmark, the engine "
          + "then its baselines at the same point, so that drifting load hits both alike); the range after it is "
          + "the rounds' lowest and highest.\n");
    } else {
      out.append("A ± is JMH's 99.9% confidence interval over the measurement iterations; with few iterations it is wide.\n");
    }
    if (extras.rounds() != null) {
      roundsParagraph(out, extras.rounds());
    }

    targetsSection(out, results, extras);

    // The classes the targets come from first, then the others in the order of the results.
    Map<String, List<JsonNode>> byClass = new LinkedHashMap<>();
    for (String first : List.of(SUBMIT, RUN_SYNC)) {
      for (JsonNode run : results) {
        if (simpleName(className(run)).equals(first)) {
          byClass.computeIfAbsent(className(run), k -> new ArrayList<>()).add(run);
        }
      }
    }
    for (JsonNode run : results) {
      String simple = simpleName(className(run));
      if (!simple.equals(SUBMIT) && !simple.equals(RUN_SYNC)) {
        byClass.computeIfAbsent(className(run), k -> new ArrayList<>()).add(run);
      }
    }
    for (Map.Entry<String, List<JsonNode>> entry : byClass.entrySet()) {
      String simpleName = simpleName(entry.getKey());
      if (simpleName.equals(LIMITER)) {
        limiterSection(out, entry.getValue());
      } else if (simpleName.equals(PER_JOB)) {
        perJobSection(out, entry.getValue());
      } else {
        section(out, simpleName, entry.getValue());
      }
    }
    shareSection(out, results);
    if (extras.memory() != null) {
      memorySection(out, extras.memory());
    }
    if (extras.http() != null) {
      httpSection(out, extras.http());
    }
    if (extras.wakeUps() != null) {
      wakeUpsSection(out, extras.wakeUps());
    }
    if (extras.idle() != null) {
      idleSection(out, extras.idle());
    }
    return out.toString();
  }

  private static void roundsParagraph(StringBuilder out, JsonNode meta) {
    JsonNode loads = meta.path("loadAverages");
    int completed = meta.path("completedRounds").asInt();
    int planned = meta.path("rounds").asInt();
    out.append(String.format(Locale.ROOT, "\n%d of %d round(s) run, %d fork(s) each.", completed, planned,
        meta.path("steps").size()));
    if (!loads.isEmpty()) {
      out.append(String.format(Locale.ROOT, " Load average (1, 5, 15 min) at the start of round 1: %s",
          loads.get(0).asText()));
      if (loads.size() > 1) {
        out.append(String.format(Locale.ROOT, "; of round %d: %s", loads.size(), loads.get(loads.size() - 1).asText()));
      }
      List<String> ones = new ArrayList<>();
      for (JsonNode load : loads) {
        ones.add(load.asText().split(" ")[0]);
      }
      out.append(" (1-minute load at each round's start: ").append(String.join(", ", ones)).append("; ")
          .append(meta.path("cpus").asInt(Runtime.getRuntime().availableProcessors())).append(" CPUs).");
    }
    out.append("\n");
  }

  // ---- targets ---------------------------------------------------------------------------

  /** Which level of a target a figure reaches. */
  enum Level {
    BEYOND, MUST, NO;

    String cell() {
      return "**" + name().toLowerCase(Locale.ROOT) + "**";
    }

    /** BEYOND when both hold (beyond counts only with must), MUST when must holds, else NO; {@code beyond} null: there is no beyond level. */
    static Level of(boolean must, Boolean beyond) {
      if (!must) {
        return NO;
      }
      return beyond != null && beyond ? BEYOND : MUST;
    }
  }

  /** One row of the targets table; {@code met} is {@code null} when it was not (fully) measured. */
  record Target(String what, String measured, String baseline, String ratio, String must, String beyond, Level met) {
    static Target notMeasured(String what, String must, String beyond, String why) {
      return new Target(what, why, "–", "–", must, beyond, null);
    }

    String metCell() {
      return met == null ? "–" : met.cell();
    }
  }

  private static void targetsSection(StringBuilder out, JsonNode results, Extras extras) {
    out.append("\n## Targets\n\n");
    out.append("`met` says the highest level reached: `beyond`, `must`, or `no`; `–` where this run did not measure "
        + "the target (fully).\n\n");
    row(out, List.of("target", "measured", "baseline", "ratio", "must", "beyond", "met"));
    divider(out, 1, 6);
    for (Target t : targets(results, extras)) {
      row(out, List.of(t.what(), t.measured(), t.baseline(), t.ratio(), t.must(), t.beyond(), t.metCell()));
    }
  }

  /** Every target of the performance issue, in its order, evaluated on what this run measured. */
  static List<Target> targets(JsonNode results, Extras extras) {
    List<Target> targets = new ArrayList<>();
    targets.add(throughputTarget(results, BASELINE, THROUGHPUT_MUST, THROUGHPUT_BEYOND));
    targets.add(throughputTarget(results, CAFFEINE_BASELINE, CAFFEINE_MUST, CAFFEINE_BEYOND));
    for (int workers : WORKERS) {
      targets.add(p50Target(results, workers));
    }
    targets.add(httpTarget(extras.http()));
    targets.add(memoryTarget(extras.memory()));
    targets.add(batchedWakeUpsTarget(extras.wakeUps()));
    targets.add(httpWakeUpsTarget(extras.http()));
    targets.add(idleTarget(extras.idle()));
    return targets;
  }

  /** Engine / {@code baselineMethod} jobs/s at every point of producers × workers; the worst ratio decides. */
  static Target throughputTarget(JsonNode results, String baselineMethod, double must, double beyond) {
    String what = "run → COMPLETED jobs/s, engine vs `" + baselineMethod + "`, at every point of 1, 2, 4 producers × "
        + "1, 2 workers (the worst ratio decides)";
    String mustCell = String.format(Locale.ROOT, "≥ %.1f×", must);
    String beyondCell = String.format(Locale.ROOT, "≥ %.1f×", beyond);
    List<JsonNode> engines = runs(results, SUBMIT, ENGINE);
    List<JsonNode> baselines = runs(results, SUBMIT, baselineMethod);
    int points = 0;
    int atMust = 0;
    int atBeyond = 0;
    double worst = Double.POSITIVE_INFINITY;
    JsonNode worstEngine = null;
    JsonNode worstBaseline = null;
    for (int producers : PRODUCERS) {
      for (int workers : WORKERS) {
        JsonNode engine = find(engines, Map.of("producers", String.valueOf(producers), "workers", String.valueOf(workers)));
        JsonNode baseline = engine == null ? null : twin(engine, baselines);
        if (baseline == null) {
          continue;
        }
        points++;
        double ratio = score(engine) / score(baseline);
        atMust += ratio >= must ? 1 : 0;
        atBeyond += ratio >= beyond ? 1 : 0;
        if (ratio < worst) {
          worst = ratio;
          worstEngine = engine;
          worstBaseline = baseline;
        }
      }
    }
    int all = PRODUCERS.length * WORKERS.length;
    if (points == 0) {
      return Target.notMeasured(what, mustCell, beyondCell, "not in this run");
    }
    String measured = String.format(Locale.ROOT,
        "worst: %s at %s producer(s), %s worker(s); %d of %d points ≥ %.1f×, %d ≥ %.1f×%s",
        number(score(worstEngine)), param(worstEngine, "producers", "1"), param(worstEngine, "workers", "?"),
        atMust, all, must, atBeyond, beyond, points == all ? "" : "; only " + points + " of " + all + " points measured");
    Level met = points == all ? Level.of(worst >= must, worst >= beyond) : null;
    return new Target(what, measured, number(score(worstBaseline)), ratio(worst), mustCell, beyondCell, met);
  }

  /** runSync p50 at {@code workers}: must ≤ 1.5 × the baseline's p50, beyond ≤ 10 µs as well. */
  static Target p50Target(JsonNode results, int workers) {
    String what = "runSync of a no-op job, p50 µs, " + workers + " worker" + (workers == 1 ? "" : "s");
    String mustCell = "≤ " + plain(P50_MUST_RATIO) + "× baseline p50";
    String beyondCell = "≤ " + plain(P50_BEYOND_US) + " µs";
    JsonNode engine = find(runs(results, RUN_SYNC, ENGINE), Map.of("workers", String.valueOf(workers)));
    JsonNode baseline = engine == null ? null : twin(engine, runs(results, RUN_SYNC, BASELINE));
    if (baseline == null) {
      return Target.notMeasured(what, mustCell, beyondCell, "not in this run");
    }
    double e = percentilesMicros(engine)[0];
    double b = percentilesMicros(baseline)[0];
    return new Target(what, number(e), number(b), ratio(e / b), mustCell, beyondCell,
        Level.of(e <= P50_MUST_RATIO * b, e <= P50_BEYOND_US));
  }

  static Target httpTarget(JsonNode http) {
    String what = "HTTP POST /v2/echo/runsync on loopback (wrk, 64 connections, 256 API keys, default limits) "
        + "requests/s vs GET /ping";
    String mustCell = String.format(Locale.ROOT, "≥ %.1f×", HTTP_MUST);
    String beyondCell = String.format(Locale.ROOT, "≥ %.1f×", HTTP_BEYOND);
    if (http == null) {
      return Target.notMeasured(what, mustCell, beyondCell, "not measured in this run");
    }
    double runSync = http.path("runsync").path("medianRps").asDouble(Double.NaN);
    double ping = http.path("ping").path("medianRps").asDouble(Double.NaN);
    long refused = refusals(http.path("runsync")) + refusals(http.path("ping"));
    double ratio = runSync / ping;
    String measured = number(runSync) + (refused > 0 ? " (" + refused + " non-2xx or socket errors: not counted as met)" : "");
    Level met = refused > 0 ? Level.NO : Level.of(ratio >= HTTP_MUST, ratio >= HTTP_BEYOND);
    return new Target(what, measured, number(ping), ratio(ratio), mustCell, beyondCell, met);
  }

  private static long refusals(JsonNode path) {
    return path.path("non2xx").asLong() + path.path("socketErrors").asLong();
  }

  static Target memoryTarget(JsonNode memory) {
    String what = "heap overhead per retained COMPLETED job (1,000,000 retained)";
    String mustCell = "≤ " + plain(OVERHEAD_MUST_BYTES) + " B";
    String beyondCell = "≤ " + plain(OVERHEAD_BEYOND_BYTES) + " B";
    if (memory == null) {
      return Target.notMeasured(what, mustCell, beyondCell, "not measured in this run");
    }
    double retained = memory.path("retainedBytesPerJob").asDouble(Double.NaN);
    double output = memory.path("outputBytes").asDouble(Double.NaN);
    double overhead = retained - output;
    double baselineOverhead = memory.path("baselineOverheadBytesPerJob").asDouble(Double.NaN);
    String baseline = "threadPoolBaseline: " + number(baselineOverhead) + " B"
        + (memory.has("caffeineBaselineOverheadBytesPerJob")
            ? "; Caffeine: " + number(memory.path("caffeineBaselineOverheadBytesPerJob").asDouble()) + " B" : "");
    String jobs = String.format(Locale.ROOT, "%,d", memory.path("jobs").asLong());
    return new Target(what.replace("1,000,000", jobs),
        String.format(Locale.ROOT, "%s B (%s B per job less the output's %s B)", number(overhead), number(retained),
            number(output)),
        baseline, ratio(overhead / baselineOverhead), mustCell, beyondCell,
        Level.of(overhead <= OVERHEAD_MUST_BYTES, overhead <= OVERHEAD_BEYOND_BYTES));
  }

  static Target batchedWakeUpsTarget(JsonNode wakeUps) {
    String what = "thread wake-ups (voluntary context switches) per job, batched path (run → COMPLETED, "
        + "1 producer, 2 workers)";
    String mustCell = "≤ " + plain(WAKEUPS_BATCHED_MUST) + " per job";
    if (wakeUps == null || !wakeUps.has(ENGINE)) {
      return Target.notMeasured(what, mustCell, "–", "not measured in this run");
    }
    JsonNode engine = wakeUps.path(ENGINE);
    double perJob = engine.path("perJob").asDouble(Double.NaN);
    JsonNode baseline = wakeUps.path(BASELINE);
    double basePerJob = baseline.path("perJob").asDouble(Double.NaN);
    String baselineCell = baseline.isMissingNode() ? "–" : small(basePerJob) + " (threadPoolBaseline)";
    return new Target(what, String.format(Locale.ROOT, "%s (%,d over %,d jobs)", small(perJob),
            engine.path("voluntarySwitches").asLong(), engine.path("jobs").asLong()),
        baselineCell, baseline.isMissingNode() ? "–" : ratio(perJob / basePerJob), mustCell, "–",
        Level.of(perJob <= WAKEUPS_BATCHED_MUST, null));
  }

  static Target httpWakeUpsTarget(JsonNode http) {
    String what = "thread wake-ups (voluntary context switches of the server) per HTTP /runsync request";
    String mustCell = "≤ " + plain(WAKEUPS_HTTP_MUST) + " per request";
    JsonNode runSync = http == null ? null : http.path("runsync");
    if (runSync == null || !runSync.has("switchesPerRequest")) {
      return Target.notMeasured(what, mustCell, "–", "not measured in this run");
    }
    double perRequest = runSync.path("switchesPerRequest").asDouble(Double.NaN);
    JsonNode ping = http.path("ping");
    double pingPerRequest = ping.path("switchesPerRequest").asDouble(Double.NaN);
    return new Target(what, String.format(Locale.ROOT, "%s (%,d over %,d requests)", small(perRequest),
            runSync.path("voluntarySwitches").asLong(), runSync.path("requests").asLong()),
        ping.has("switchesPerRequest") ? small(pingPerRequest) + " (/ping)" : "–",
        ping.has("switchesPerRequest") ? ratio(perRequest / pingPerRequest) : "–", mustCell, "–",
        Level.of(perRequest <= WAKEUPS_HTTP_MUST, null));
  }

  static Target idleTarget(JsonNode idle) {
    String what = "CPU of an idle engine with 10 endpoints";
    String mustCell = "< " + plain(IDLE_CPU_MUST_PERCENT) + "% of one core";
    if (idle == null) {
      return Target.notMeasured(what, mustCell, "–", "not measured in this run");
    }
    double percent = idle.path("percentOfOneCore").asDouble(Double.NaN);
    JsonNode alone = idle.path("jvmAlone");
    String measured = String.format(Locale.ROOT, "%s%% of one core over %s s (%d endpoints)", number(percent),
        number(idle.path("idleSeconds").asDouble()), idle.path("endpoints").asInt());
    return new Target(what.replace("10", String.valueOf(idle.path("endpoints").asInt(10))), measured,
        alone.isMissingNode() ? "–" : number(alone.path("percentOfOneCore").asDouble()) + "% (the JVM before the engine)",
        "–", mustCell, "–", Level.of(percent < IDLE_CPU_MUST_PERCENT, null));
  }

  // ---- the limiter and store share (informational) -----------------------------------------

  /** The store's and the limiter's cost per job (ns) and the job's cost they are a share of. */
  record Share(double storeNanos, double limiterNanos, double jobNanos, String jobBasis) {
    double share() {
      return (storeNanos + limiterNanos) / jobNanos;
    }
  }

  static Share share(JsonNode results) {
    JsonNode record = first(runs(results, PER_JOB, "jobRecordOnly"));
    JsonNode lifecycle = first(runs(results, PER_JOB, "storeLifecycle"));
    JsonNode on = first(runs(results, PER_JOB, "limiterOn"));
    JsonNode off = first(runs(results, PER_JOB, "limiterOff"));
    if (record == null || lifecycle == null || on == null || off == null) {
      return null;
    }
    JsonNode job = find(runs(results, LIMITER, ENGINE), Map.of("limits", "on"));
    String basis = "1 / engine jobs/s with limits on (LimiterCostBenchmark, 1 producer, "
        + (job == null ? "" : param(job, "workers", "?")) + " workers)";
    if (job == null) {
      job = find(runs(results, SUBMIT, ENGINE), Map.of("producers", "1", "workers", "2"));
      basis = "1 / engine jobs/s with limits off (SubmitToCompleteBenchmark, 1 producer, 2 workers)";
    }
    if (job == null) {
      return null;
    }
    return new Share(nanos(lifecycle) - nanos(record), nanos(on) - nanos(off), 1e9 / score(job), basis);
  }

  private static void shareSection(StringBuilder out, JsonNode results) {
    Share share = share(results);
    String crossCheck = limiterCrossCheck(results);
    if (share == null && crossCheck == null) {
      return;
    }
    out.append("\n## Limiter + store share of per-job cost (informational)\n\n");
    if (share != null) {
      out.append(String.format(Locale.ROOT,
          "Limiter %s ns + store %s ns = %s ns per job, against a job of %s ns (%s): %s. Both numerators are "
              + "measured on one thread (PerJobCostBenchmark), the denominator is wall time per job with two cores "
              + "at work, so the share errs high.\n",
          number(share.limiterNanos()), number(share.storeNanos()), number(share.limiterNanos() + share.storeNanos()),
          number(share.jobNanos()), share.jobBasis(), percent(share.share())));
    }
    if (crossCheck != null) {
      out.append(share != null ? "\n" : "").append(crossCheck).append("\n");
    }
  }

  /** The limiter's cost seen as a throughput difference (limits on vs off), or null. */
  private static String limiterCrossCheck(JsonNode results) {
    List<JsonNode> limiter = runs(results, LIMITER, ENGINE);
    JsonNode on = find(limiter, Map.of("limits", "on"));
    JsonNode off = find(limiter, Map.of("limits", "off"));
    if (on == null || off == null) {
      return null;
    }
    double perJobOn = 1e9 / score(on);
    double perJobOff = 1e9 / score(off);
    return String.format(Locale.ROOT,
        "Cross-check of the limiter's share from throughput (LimiterCostBenchmark): limits on %s jobs/s, "
            + "off %s jobs/s, so %s ns per job with limits on against %s ns off: %s ns (%s of the job). "
            + "This difference is within the run-to-run noise of a shared two-core machine.",
        number(score(on)), number(score(off)), number(perJobOn), number(perJobOff),
        number(perJobOn - perJobOff), percent((perJobOn - perJobOff) / perJobOn));
  }

  // ---- the sections of each class ----------------------------------------------------------

  private static String runShape(JsonNode results) {
    JsonNode run = results.get(0);
    int minRounds = Integer.MAX_VALUE;
    int maxRounds = 0;
    for (JsonNode r : results) {
      minRounds = Math.min(minRounds, rounds(r));
      maxRounds = Math.max(maxRounds, rounds(r));
    }
    String rounds = maxRounds <= 1 ? String.format(Locale.ROOT, "%d fork(s)", run.path("forks").asInt())
        : minRounds == maxRounds ? String.format(Locale.ROOT, "%d rounds of one fork", maxRounds)
        : String.format(Locale.ROOT, "%d to %d rounds of one fork", minRounds, maxRounds);
    return String.format(Locale.ROOT,
        "JMH %s on %s %s; %s, each fork warmup %d × %s, measurement %d × %s (first benchmark's settings), "
            + "%d benchmark thread(s). Written on a host with %d CPU(s) (%s%s %s).",
        run.path("jmhVersion").asText("?"), run.path("vmName").asText("?"), run.path("vmVersion").asText("?"),
        rounds, run.path("warmupIterations").asInt(), run.path("warmupTime").asText("?"),
        run.path("measurementIterations").asInt(), run.path("measurementTime").asText("?"),
        run.path("threads").asInt(), Runtime.getRuntime().availableProcessors(),
        Machine.cpuModel().map(model -> model + ", ").orElse(""),
        System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  private static void section(StringBuilder out, String simpleName, List<JsonNode> runs) {
    out.append("\n## ").append(simpleName).append("\n\n");
    String description = DESCRIPTIONS.get(simpleName);
    if (description != null) {
      out.append(capitalize(description)).append(".\n\n");
    }
    List<JsonNode> engines = new ArrayList<>();
    Map<String, List<JsonNode>> baselines = new TreeMap<>();
    for (JsonNode run : runs) {
      String method = methodName(run);
      if (method.equals(ENGINE)) {
        engines.add(run);
      } else if (method.startsWith(Rounds.BASELINE_PREFIX)) {
        baselines.computeIfAbsent(method, k -> new ArrayList<>()).add(run);
      }
    }
    if (engines.isEmpty()) {
      plainTable(out, runs);
      return;
    }
    List<String> keys = new ArrayList<>(params(engines.get(0)).keySet());
    if (engines.get(0).path("mode").asText().equals("sample")) {
      percentileTable(out, keys, engines, baselines.getOrDefault(BASELINE, List.of()));
    } else {
      scoreTable(out, keys, engines, baselines);
    }
  }

  /** Every run of a class without an engine method, with its parameters and score. */
  private static void plainTable(StringBuilder out, List<JsonNode> runs) {
    String unit = runs.get(0).path("primaryMetric").path("scoreUnit").asText();
    List<String> keys = new ArrayList<>(params(runs.get(0)).keySet());
    List<String> header = new ArrayList<>();
    header.add("benchmark");
    header.addAll(keys);
    header.add("score (" + unit + ")");
    row(out, header);
    divider(out, 1 + keys.size(), 1);
    for (JsonNode run : runs) {
      List<String> cells = new ArrayList<>();
      cells.add("`" + methodName(run) + "`");
      cells.addAll(paramCells(keys, run));
      cells.add(scoreCell(run));
      row(out, cells);
    }
  }

  /** Throughput or average time: the engine, each baseline present, and the engine / baseline ratios. */
  private static void scoreTable(StringBuilder out, List<String> keys, List<JsonNode> engines,
      Map<String, List<JsonNode>> baselines) {
    String unit = engines.get(0).path("primaryMetric").path("scoreUnit").asText();
    List<String> names = new ArrayList<>(baselines.keySet());
    List<String> header = new ArrayList<>(keys);
    header.add("engine (" + unit + ")");
    for (String name : names) {
      header.add(shortName(name) + " (" + unit + ")");
    }
    for (String name : names) {
      header.add("engine / " + shortName(name));
    }
    if (names.isEmpty()) {
      header.add("engine / baseline");
    }
    row(out, header);
    divider(out, keys.size(), header.size() - keys.size());
    for (JsonNode engine : engines) {
      List<String> cells = paramCells(keys, engine);
      cells.add(scoreCell(engine));
      List<String> ratios = new ArrayList<>();
      for (String name : names) {
        JsonNode baseline = twin(engine, baselines.get(name));
        cells.add(baseline == null ? "–" : scoreCell(baseline));
        ratios.add(baseline == null ? "–" : String.format(Locale.ROOT, "%.2f", score(engine) / score(baseline)));
      }
      if (names.isEmpty()) {
        ratios.add("–");
      }
      cells.addAll(ratios);
      row(out, cells);
    }
  }

  /** {@code threadPoolBaseline} → "baseline", {@code threadPoolCaffeineBaseline} → "Caffeine baseline". */
  static String shortName(String baselineMethod) {
    String rest = baselineMethod.startsWith(Rounds.BASELINE_PREFIX)
        ? baselineMethod.substring(Rounds.BASELINE_PREFIX.length()) : baselineMethod;
    return rest.equals("Baseline") ? "baseline" : rest.replaceAll("Baseline$", "") + " baseline";
  }

  private static void percentileTable(StringBuilder out, List<String> keys, List<JsonNode> engines, List<JsonNode> baselines) {
    String unit = engines.get(0).path("primaryMetric").path("scoreUnit").asText();
    List<String> header = new ArrayList<>(keys);
    header.add("");
    for (String p : PERCENTILES) {
      header.add("p" + p.replaceAll("\\.0$", "") + " (" + unit + ")");
    }
    header.add("samples");
    row(out, header);
    divider(out, keys.size() + 1, PERCENTILES.length + 1);
    for (JsonNode engine : engines) {
      JsonNode baseline = twin(engine, baselines);
      row(out, percentileCells(keys, engine, ENGINE));
      if (baseline != null) {
        row(out, percentileCells(keys, baseline, "baseline"));
      }
      List<String> ratio = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        ratio.add("");
      }
      ratio.add("engine / baseline");
      for (String p : PERCENTILES) {
        ratio.add(baseline == null ? "–" : String.format(Locale.ROOT, "%.2f",
            percentile(engine, p) / percentile(baseline, p)));
      }
      ratio.add("");
      row(out, ratio);
    }
  }

  private static List<String> percentileCells(List<String> keys, JsonNode run, String side) {
    List<String> cells = paramCells(keys, run);
    cells.add(side);
    for (String p : PERCENTILES) {
      cells.add(number(percentile(run, p)));
    }
    cells.add(String.format(Locale.ROOT, "%,d", samples(run)));
    return cells;
  }

  private static void limiterSection(StringBuilder out, List<JsonNode> runs) {
    out.append("\n## ").append(LIMITER).append("\n\n");
    out.append("Run → COMPLETED jobs/s as in SubmitToCompleteBenchmark, with the route limits on (every route's "
        + "default, /run's rate raised out of reach: its bucket and in-flight count are still kept) and off "
        + "(`unlimited()`).\n\n");
    row(out, List.of("limits", "workers", "engine (ops/s)", "per job (ns)"));
    divider(out, 2, 2);
    for (JsonNode run : runs) {
      row(out, List.of(param(run, "limits", "?"), param(run, "workers", "?"), scoreCell(run),
          number(1e9 / score(run))));
    }
  }

  private static void perJobSection(StringBuilder out, List<JsonNode> runs) {
    out.append("\n## ").append(PER_JOB).append("\n\n");
    out.append("The job store and the rate limiter on their own (average ns per call; "
        + "store = `storeLifecycle` − `jobRecordOnly`: insert, start, end and removal of a job in the default store "
        + "holding 65,536, less creating the job record; limiter = `limiterOn` − `limiterOff`: a /status call "
        + "with its route's limits kept, against one with every limit off).\n\n");
    row(out, List.of("benchmark", "ns per call"));
    divider(out, 1, 1);
    for (JsonNode run : runs) {
      row(out, List.of("`" + methodName(run) + "`", scoreCell(run)));
    }
  }

  private static void memorySection(StringBuilder out, JsonNode memory) {
    out.append("\n## Retained memory\n\n");
    out.append(String.format(Locale.ROOT,
        "%,d no-op jobs run to COMPLETED and kept (30-minute retention), heap in use after full GCs: "
            + "%,d → %,d bytes (%s). Output per job: `%s`, %d bytes of its own (key and value are shared "
            + "constants); the input is one shared map.\n\n",
        memory.path("jobs").asLong(), memory.path("heapBeforeBytes").asLong(), memory.path("heapAfterBytes").asLong(),
        memory.path("gc").asText("?"), memory.path("output").asText("?"), memory.path("outputBytes").asLong()));
    row(out, List.of("", "bytes per retained job", "of which the output", "overhead per job"));
    divider(out, 1, 3);
    row(out, List.of("engine", number(memory.path("retainedBytesPerJob").asDouble()),
        memory.path("outputBytes").asText(), number(memory.path("overheadBytesPerJob").asDouble())));
    if (memory.has("baselineRetainedBytesPerJob")) {
      row(out, List.of("baseline (ThreadPoolJobs, ConcurrentHashMap)",
          number(memory.path("baselineRetainedBytesPerJob").asDouble()),
          memory.path("outputBytes").asText(), number(memory.path("baselineOverheadBytesPerJob").asDouble())));
    }
    if (memory.has("caffeineBaselineRetainedBytesPerJob")) {
      row(out, List.of("baseline (ThreadPoolJobs, Caffeine 30 min)",
          number(memory.path("caffeineBaselineRetainedBytesPerJob").asDouble()),
          memory.path("outputBytes").asText(), number(memory.path("caffeineBaselineOverheadBytesPerJob").asDouble())));
    }
  }

  private static void httpSection(StringBuilder out, JsonNode http) {
    out.append("\n## HTTP (wrk on loopback)\n\n");
    out.append(String.format(Locale.ROOT,
        "`wrk -t%d -c%d -d%ds --latency`, each path %d times alternating, median of the runs; %s; server: %s.",
        http.path("threads").asInt(), http.path("connections").asInt(), http.path("durationSeconds").asInt(),
        http.path("rounds").asInt(), http.path("wrk").asText("wrk"), http.path("server").asText("?")));
    if (http.has("apiKeys")) {
      out.append(String.format(Locale.ROOT, " Requests spread over %d API keys, round robin per wrk thread.",
          http.path("apiKeys").asInt()));
    }
    out.append(" Wake-ups: the server's voluntary context switches over every measured run of a path "
        + "(`/proc/<pid>/task/*/status`), over the requests wrk completed in them.\n\n");
    row(out, List.of("request", "requests/s (median)", "runs", "p50 (ms)", "p99 (ms)", "non-2xx", "socket errors",
        "wake-ups per request"));
    divider(out, 1, 7);
    for (String path : List.of("ping", "runsync")) {
      JsonNode p = http.path(path);
      List<String> each = new ArrayList<>();
      for (JsonNode rps : p.path("rps")) {
        each.add(number(rps.asDouble()));
      }
      row(out, List.of(p.path("request").asText(path), number(p.path("medianRps").asDouble()), String.join("; ", each),
          number(p.path("p50Ms").asDouble(Double.NaN)), number(p.path("p99Ms").asDouble(Double.NaN)),
          p.path("non2xx").asText("0"), p.path("socketErrors").asText("0"),
          small(p.path("switchesPerRequest").asDouble(Double.NaN))));
    }
  }

  private static void wakeUpsSection(StringBuilder out, JsonNode wakeUps) {
    out.append("\n## Wake-ups in the batched path\n\n");
    out.append(String.format(Locale.ROOT,
        "%,d no-op jobs run → COMPLETED in batches of %d (%d producer, %d workers), after %,d warm-up jobs, on each "
            + "side; the process's voluntary context switches over them (%s), per job. A thread that waits by "
            + "spinning or yielding shows as involuntary switches, not voluntary ones.\n\n",
        wakeUps.path("jobs").asLong(), wakeUps.path("batch").asInt(), wakeUps.path("producers").asInt(),
        wakeUps.path("workers").asInt(), wakeUps.path("warmupJobs").asLong(), wakeUps.path("source").asText("/proc")));
    row(out, List.of("", "jobs/s", "voluntary switches", "per job", "involuntary per job", "most switching threads"));
    out.append("|---|---:|---:|---:|---:|---|\n");
    for (String side : List.of(ENGINE, BASELINE, CAFFEINE_BASELINE)) {
      JsonNode s = wakeUps.path(side);
      if (s.isMissingNode()) {
        continue;
      }
      List<String> threads = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.path("byThread").fields(); it.hasNext() && threads.size() < 4; ) {
        Map.Entry<String, JsonNode> e = it.next();
        threads.add(String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue().asLong()));
      }
      row(out, List.of(side, number(s.path("jobsPerSecond").asDouble(Double.NaN)),
          String.format(Locale.ROOT, "%,d", s.path("voluntarySwitches").asLong()), small(s.path("perJob").asDouble()),
          small(s.path("involuntarySwitches").asDouble() / s.path("jobs").asDouble()), String.join("; ", threads)));
    }
  }

  private static void idleSection(StringBuilder out, JsonNode idle) {
    out.append("\n## Idle engine\n\n");
    out.append(String.format(Locale.ROOT,
        "An engine with %d endpoints (cpu backend, default settings: %d workers each), idle for %s s after a "
            + "warm-up; the process's CPU time over that window (%s).\n\n",
        idle.path("endpoints").asInt(), idle.path("workersPerEndpoint").asInt(), number(idle.path("idleSeconds").asDouble()),
        idle.path("source").asText("/proc/self/stat")));
    row(out, List.of("", "CPU seconds", "% of one core", "wake-ups per second"));
    divider(out, 1, 3);
    JsonNode alone = idle.path("jvmAlone");
    if (!alone.isMissingNode()) {
      row(out, List.of("the JVM before the engine started", number(alone.path("cpuSeconds").asDouble()),
          number(alone.path("percentOfOneCore").asDouble()), number(alone.path("wakeupsPerSecond").asDouble())));
    }
    row(out, List.of("engine with " + idle.path("endpoints").asInt() + " endpoints",
        number(idle.path("cpuSeconds").asDouble()), number(idle.path("percentOfOneCore").asDouble()),
        number(idle.path("wakeupsPerSecond").asDouble())));
  }

  // ---- reading JMH's JSON ----------------------------------------------------------------

  /** The runs of {@code method} of the benchmark class named {@code simpleClassName}. */
  static List<JsonNode> runs(JsonNode results, String simpleClassName, String method) {
    List<JsonNode> runs = new ArrayList<>();
    for (JsonNode run : results) {
      if (simpleName(className(run)).equals(simpleClassName) && methodName(run).equals(method)) {
        runs.add(run);
      }
    }
    return runs;
  }

  /**
   * The first run whose parameters include {@code wanted}; a run without a {@code producers}
   * parameter (results from before it existed) counts as one producer.
   */
  static JsonNode find(List<JsonNode> runs, Map<String, String> wanted) {
    for (JsonNode run : runs) {
      boolean all = true;
      for (Map.Entry<String, String> entry : wanted.entrySet()) {
        String fallback = entry.getKey().equals("producers") ? "1" : null;
        if (!entry.getValue().equals(param(run, entry.getKey(), fallback))) {
          all = false;
          break;
        }
      }
      if (all) {
        return run;
      }
    }
    return null;
  }

  private static JsonNode first(List<JsonNode> runs) {
    return runs.isEmpty() ? null : runs.get(0);
  }

  /** The baseline run whose every parameter equals the engine run's (engine-only ones aside). */
  static JsonNode twin(JsonNode engine, List<JsonNode> baselines) {
    if (baselines == null) {
      return null;
    }
    Map<String, String> engineParams = params(engine);
    for (JsonNode baseline : baselines) {
      if (engineParams.entrySet().containsAll(params(baseline).entrySet())
          && baseline.path("mode").asText().equals(engine.path("mode").asText())
          && baseline.path("threads").asInt() == engine.path("threads").asInt()) {
        return baseline;
      }
    }
    return null;
  }

  static String param(JsonNode run, String name, String fallback) {
    JsonNode value = run.path("params").get(name);
    return value == null ? fallback : value.asText();
  }

  static Map<String, String> params(JsonNode run) {
    Map<String, String> params = new TreeMap<>(Report::paramOrder);
    for (Map.Entry<String, JsonNode> param : run.path("params").properties()) {
      params.put(param.getKey(), param.getValue().asText());
    }
    return params;
  }

  /** {@code producers}, then {@code workers}, the parameters every benchmark here varies; then by name. */
  static int paramOrder(String a, String b) {
    int ra = paramRank(a);
    int rb = paramRank(b);
    return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
  }

  private static int paramRank(String name) {
    return switch (name) {
      case "producers" -> 0;
      case "workers" -> 1;
      default -> 2;
    };
  }

  private static List<String> paramCells(List<String> keys, JsonNode run) {
    Map<String, String> params = params(run);
    List<String> cells = new ArrayList<>();
    for (String key : keys) {
      cells.add(params.getOrDefault(key, ""));
    }
    return cells;
  }

  static double score(JsonNode run) {
    return run.path("primaryMetric").path("score").asDouble();
  }

  /** An average-time score in ns. */
  private static double nanos(JsonNode run) {
    return score(run) * unitNanos(run.path("primaryMetric").path("scoreUnit").asText());
  }

  /**
   * The score with its spread: for a merge of several rounds, the rounds' lowest and highest in
   * brackets; for one run, JMH's error when it gives one (it gives none with too few iterations).
   */
  static String scoreCell(JsonNode run) {
    JsonNode roundScores = run.path("primaryMetric").path("roundScores");
    if (roundScores.size() > 1) {
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (JsonNode s : roundScores) {
        low = Math.min(low, s.asDouble());
        high = Math.max(high, s.asDouble());
      }
      return number(score(run)) + " (" + number(low) + "–" + number(high) + ")";
    }
    double error = run.path("primaryMetric").path("scoreError").asDouble(Double.NaN);
    return Double.isNaN(error) ? number(score(run)) : number(score(run)) + " ± " + number(error);
  }

  static double percentile(JsonNode run, String p) {
    return run.path("primaryMetric").path("scorePercentiles").path(p).asDouble(Double.NaN);
  }

  /** p50, p99 and p99.9 of a sample-time run, in µs whatever its unit. */
  static double[] percentilesMicros(JsonNode run) {
    double toMicros = unitNanos(run.path("primaryMetric").path("scoreUnit").asText()) / 1000.0;
    double[] values = new double[PERCENTILES.length];
    for (int i = 0; i < PERCENTILES.length; i++) {
      values[i] = percentile(run, PERCENTILES[i]) * toMicros;
    }
    return values;
  }

  /** Nanoseconds in the time unit of a JMH score unit such as {@code us/op}. */
  static double unitNanos(String scoreUnit) {
    String unit = scoreUnit.contains("/") ? scoreUnit.substring(0, scoreUnit.indexOf('/')) : scoreUnit;
    return switch (unit) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "min" -> 60e9;
      default -> throw new IllegalArgumentException("not a time unit: " + scoreUnit);
    };
  }

  private static long samples(JsonNode run) {
    long n = 0;
    for (JsonNode fork : run.path("primaryMetric").path("rawDataHistogram")) {
      for (JsonNode iteration : fork) {
        for (JsonNode bucket : iteration) {
          n += bucket.path(1).asLong();
        }
      }
    }
    return n;
  }

  // ---- formatting ------------------------------------------------------------------------

  /** Thousands grouped for large figures; a few significant digits for small ones. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    double magnitude = Math.abs(value);
    String pattern = magnitude >= 1000 ? "%,.0f" : magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, pattern, value);
  }

  /** A figure that is often below one (wake-ups per job): three decimals below 10. */
  static String small(double value) {
    return Double.isNaN(value) || Math.abs(value) >= 10 ? number(value) : String.format(Locale.ROOT, "%.3f", value);
  }

  /** A target's constant, without trailing zeros: 1, 1.5, 128. */
  static String plain(double value) {
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  static String ratio(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f×", value);
  }

  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  private static void row(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  private static void divider(StringBuilder out, int textColumns, int numberColumns) {
    out.append('|');
    for (int i = 0; i < textColumns; i++) {
      out.append("---|");
    }
    for (int i = 0; i < numberColumns; i++) {
      out.append("---:|");
    }
    out.append('\n');
  }

  static String className(JsonNode run) {
    String benchmark = run.path("benchmark").asText();
    return benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
  }

  static String methodName(JsonNode run) {
    String benchmark = run.path("benchmark").asText();
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
