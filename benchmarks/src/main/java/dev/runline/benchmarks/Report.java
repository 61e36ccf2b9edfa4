package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.spi.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH JSON result file (plus, when given, the retained-memory and HTTP figures) into a
 * Markdown summary: first every performance target with its measured value, baseline, ratio
 * and whether it is met; then, for each benchmark class, its {@code engine} method beside its
 * {@code threadPoolBaseline} twin with the same parameters. Score modes (throughput, average
 * time) get the scores and their engine / baseline ratio; sample-time mode gets the p50, p99
 * and p99.9 of both.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.Report RESULTS.json [SUMMARY.md]
 * [--memory MEMORY.json] [--http HTTP.json] [--note TEXT]...}; the summary goes to standard output, and to
 * {@code SUMMARY.md} when given. {@code MEMORY.json} is what {@link RetainedMemory} writes,
 * {@code HTTP.json} what {@code benchmarks/http.sh} writes.
 */
public final class Report {
  static final String ENGINE = "engine";
  static final String BASELINE = "threadPoolBaseline";

  static final String SUBMIT = "SubmitToCompleteBenchmark";
  static final String RUN_SYNC = "RunSyncLatencyBenchmark";
  static final String LIMITER = "LimiterCostBenchmark";
  static final String PER_JOB = "PerJobCostBenchmark";

  /** The throughput target: engine / baseline at least this, at every point. */
  static final double THROUGHPUT_RATIO = 2.0;
  /** The latency target's p50 bound, µs. */
  static final double P50_LIMIT_US = 10.0;
  /** Bytes of overhead per retained job, at most. */
  static final double OVERHEAD_LIMIT_BYTES = 300;
  /** HTTP runsync requests/s over /ping requests/s, at least. */
  static final double HTTP_RATIO = 0.7;
  /** Limiter + store, as a share of a job's cost, at most. */
  static final double SHARE_LIMIT = 0.15;

  /** The points the throughput target covers: producers × workers. */
  static final int[] PRODUCERS = {1, 2, 4};
  static final int[] WORKERS = {1, 2};

  /** What each benchmark class measures, in one line; a class not listed gets its name only. */
  private static final Map<String, String> DESCRIPTIONS = Map.of(
      SUBMIT,
      "no-op jobs per second from submission to COMPLETED (one op = one job; higher is better), "
          + "each batch of 1000 submitted by `producers` threads at once",
      RUN_SYNC,
      "round trip of one synchronous no-op job, from the call to the result in hand (lower is better)");

  private static final String[] PERCENTILES = {"50.0", "99.0", "99.9"};

  private Report() {}

  public static void main(String[] args) throws IOException {
    List<String> positional = new ArrayList<>();
    Path memory = null;
    Path http = null;
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--note" -> notes.add(optionValue(args, ++i));
        case "--memory" -> memory = Path.of(optionValue(args, ++i));
        case "--http" -> http = Path.of(optionValue(args, ++i));
        default -> positional.add(args[i]);
      }
    }
    if (positional.isEmpty() || positional.size() > 2) {
      usage();
    }
    ObjectMapper mapper = Json.mapper();
    Path resultsFile = Path.of(positional.get(0));
    JsonNode results = mapper.readTree(resultsFile.toFile());
    String summary = summarize(results, resultsFile.getFileName().toString(),
        memory == null ? null : mapper.readTree(memory.toFile()),
        http == null ? null : mapper.readTree(http.toFile()));
    summary = withNotes(summary, notes);
    System.out.print(summary);
    if (positional.size() == 2) {
      Files.writeString(Path.of(positional.get(1)), summary);
    }
  }

  private static String optionValue(String[] args, int i) {
    if (i >= args.length) {
      usage();
    }
    return args[i];
  }

  private static void usage() {
    System.err.println("usage: Report RESULTS.json [SUMMARY.md] [--memory MEMORY.json] [--http HTTP.json]"
        + " [--note TEXT]...");
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

  /** The Markdown summary of {@code results}, JMH's JSON array of runs, read from {@code source}. */
  static String summarize(JsonNode results, String source) {
    return summarize(results, source, null, null);
  }

  /**
   * The Markdown summary of {@code results}, with the retained-memory figures ({@code memory},
   * as {@link RetainedMemory} writes them) and the HTTP figures ({@code http}, as http.sh
   * writes them) when not {@code null}.
   */
  static String summarize(JsonNode results, String source, JsonNode memory, JsonNode http) {
    if (!results.isArray() || results.isEmpty()) {
      throw new IllegalArgumentException("expected JMH's JSON results: a non-empty array of runs");
    }
    StringBuilder out = new StringBuilder("# Runline benchmarks\n\n");
    out.append("From `").append(source).append("`: ").append(runShape(results.get(0))).append("\n\n");
    out.append("Each engine figure is paired with its thread-pool baseline of the same parameters: "
        + "a ThreadPoolExecutor (with a ConcurrentHashMap of job records where jobs are queried "
        + "later), as a user would write without Runline. A ± is JMH's 99.9% confidence interval over the measurement "
        + "iterations; with few iterations it is wide.\n");

    targetsSection(out, results, memory, http);

    Map<String, List<JsonNode>> byClass = new LinkedHashMap<>();
    for (JsonNode run : results) {
      byClass.computeIfAbsent(className(run), k -> new ArrayList<>()).add(run);
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
    if (memory != null) {
      memorySection(out, memory);
    }
    if (http != null) {
      httpSection(out, http);
    }
    return out.toString();
  }

  // ---- targets ---------------------------------------------------------------------------

  /** One row of the targets table; {@code met} is {@code null} when it was not measured. */
  record Target(String what, String measured, String baseline, String ratio, String goal, Boolean met) {
    static Target notMeasured(String what, String goal, String why) {
      return new Target(what, why, "–", "–", goal, null);
    }

    String metCell() {
      return met == null ? "–" : met ? "**yes**" : "**no**";
    }
  }

  private static void targetsSection(StringBuilder out, JsonNode results, JsonNode memory, JsonNode http) {
    out.append("\n## Targets\n\n");
    row(out, List.of("target", "measured", "baseline", "ratio", "goal", "met"));
    divider(out, 1, 5);
    for (Target t : targets(results, memory, http)) {
      row(out, List.of(t.what(), t.measured(), t.baseline(), t.ratio(), t.goal(), t.metCell()));
    }
    String crossCheck = limiterCrossCheck(results);
    if (crossCheck != null) {
      out.append("\n").append(crossCheck).append("\n");
    }
  }

  /** Every target of the performance issue, evaluated on what this run measured. */
  static List<Target> targets(JsonNode results, JsonNode memory, JsonNode http) {
    List<Target> targets = new ArrayList<>();
    throughputTargets(targets, results);
    latencyTargets(targets, results);
    targets.add(memoryTarget(memory));
    targets.add(httpTarget(http));
    targets.add(shareTarget(results));
    return targets;
  }

  private static void throughputTargets(List<Target> targets, JsonNode results) {
    String goal = String.format(Locale.ROOT, "≥ %.1f×", THROUGHPUT_RATIO);
    List<JsonNode> engines = runs(results, SUBMIT, ENGINE);
    List<JsonNode> baselines = runs(results, SUBMIT, BASELINE);
    JsonNode headline = find(engines, Map.of("producers", "1", "workers", "2"));
    String headlineWhat = "run → COMPLETED jobs/s, engine vs threadPoolBaseline (1 producer, 2 workers)";
    JsonNode headlineBaseline = headline == null ? null : twin(headline, baselines);
    if (headline == null || headlineBaseline == null) {
      targets.add(Target.notMeasured(headlineWhat, goal, "not in this run"));
    } else {
      double ratio = score(headline) / score(headlineBaseline);
      targets.add(new Target(headlineWhat, number(score(headline)), number(score(headlineBaseline)),
          ratio(ratio), goal, ratio >= THROUGHPUT_RATIO));
    }

    String everyWhat = "the same at 1, 2, 4 producers × 1, 2 workers (the lowest ratio)";
    String everyGoal = goal + " at every point";
    int points = 0;
    int met = 0;
    double lowest = Double.POSITIVE_INFINITY;
    JsonNode lowestEngine = null;
    JsonNode lowestBaseline = null;
    for (int producers : PRODUCERS) {
      for (int workers : WORKERS) {
        JsonNode engine = find(engines, Map.of("producers", String.valueOf(producers), "workers", String.valueOf(workers)));
        JsonNode baseline = engine == null ? null : twin(engine, baselines);
        if (baseline == null) {
          continue;
        }
        points++;
        double ratio = score(engine) / score(baseline);
        if (ratio >= THROUGHPUT_RATIO) {
          met++;
        }
        if (ratio < lowest) {
          lowest = ratio;
          lowestEngine = engine;
          lowestBaseline = baseline;
        }
      }
    }
    int all = PRODUCERS.length * WORKERS.length;
    if (points == 0) {
      targets.add(Target.notMeasured(everyWhat, everyGoal, "not in this run"));
    } else {
      String where = String.format(Locale.ROOT, "%s (%s producer(s), %s worker(s)); %d of %d points %s",
          number(score(lowestEngine)), param(lowestEngine, "producers", "1"), param(lowestEngine, "workers", "?"),
          met, all, points == all ? "met" : "met, " + (all - points) + " not measured");
      targets.add(new Target(everyWhat, where, number(score(lowestBaseline)), ratio(lowest), everyGoal,
          points == all && met == all));
    }
  }

  private static void latencyTargets(List<Target> targets, JsonNode results) {
    String goal = String.format(Locale.ROOT, "p99 ≤ baseline p99; p50 ≤ %s µs", number(P50_LIMIT_US));
    List<JsonNode> engines = runs(results, RUN_SYNC, ENGINE);
    List<JsonNode> baselines = runs(results, RUN_SYNC, BASELINE);
    boolean any = false;
    for (JsonNode engine : engines) {
      JsonNode baseline = twin(engine, baselines);
      if (baseline == null) {
        continue;
      }
      any = true;
      double[] e = percentilesMicros(engine);
      double[] b = percentilesMicros(baseline);
      String what = "runSync of a no-op job, p50 / p99 / p99.9 µs (" + param(engine, "workers", "?") + " worker(s))";
      targets.add(new Target(what, triple(e), triple(b),
          String.format(Locale.ROOT, "%.2f / %.2f / %.2f", e[0] / b[0], e[1] / b[1], e[2] / b[2]),
          goal, e[1] <= b[1] && e[0] <= P50_LIMIT_US));
    }
    if (!any) {
      targets.add(Target.notMeasured("runSync of a no-op job, p50 / p99 / p99.9 µs", goal, "not in this run"));
    }
  }

  private static Target memoryTarget(JsonNode memory) {
    String what = "heap held per retained COMPLETED job (small output), 1,000,000 retained";
    String goal = "≤ " + number(OVERHEAD_LIMIT_BYTES) + " bytes of overhead per job";
    if (memory == null) {
      return Target.notMeasured(what, goal, "not measured in this run");
    }
    double retained = memory.path("retainedBytesPerJob").asDouble(Double.NaN);
    double output = memory.path("outputBytes").asDouble(Double.NaN);
    double overhead = retained - output;
    String jobs = String.format(Locale.ROOT, "%,d", memory.path("jobs").asLong());
    return new Target(what.replace("1,000,000", jobs),
        String.format(Locale.ROOT, "%s B per job: %s B overhead", number(retained), number(overhead)),
        String.format(Locale.ROOT, "output: %s B", number(output)),
        ratio(retained / output), goal, overhead <= OVERHEAD_LIMIT_BYTES);
  }

  private static Target httpTarget(JsonNode http) {
    String what = "HTTP POST /v2/echo/runsync on loopback, requests/s (wrk, 64 connections) vs GET /ping";
    String goal = String.format(Locale.ROOT, "≥ %.1f×", HTTP_RATIO);
    if (http == null) {
      return Target.notMeasured(what, goal, "not measured in this run");
    }
    double runSync = http.path("runsync").path("medianRps").asDouble(Double.NaN);
    double ping = http.path("ping").path("medianRps").asDouble(Double.NaN);
    long refused = http.path("runsync").path("non2xx").asLong() + http.path("runsync").path("socketErrors").asLong()
        + http.path("ping").path("non2xx").asLong() + http.path("ping").path("socketErrors").asLong();
    double ratio = runSync / ping;
    String measured = number(runSync) + (refused > 0 ? " (" + refused + " non-2xx or socket errors)" : "");
    return new Target(what, measured, number(ping), ratio(ratio), goal, refused == 0 && ratio >= HTTP_RATIO);
  }

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

  private static Target shareTarget(JsonNode results) {
    String what = "limiter + store share of per-job cost";
    String goal = "≤ " + Math.round(SHARE_LIMIT * 100) + "% of the job's total cost";
    Share share = share(results);
    if (share == null) {
      return Target.notMeasured(what, goal, "not in this run");
    }
    return new Target(what,
        String.format(Locale.ROOT, "limiter %s ns + store %s ns = %s ns per job", number(share.limiterNanos()),
            number(share.storeNanos()), number(share.limiterNanos() + share.storeNanos())),
        String.format(Locale.ROOT, "job: %s ns (%s)", number(share.jobNanos()), share.jobBasis()),
        percent(share.share()), goal, share.share() <= SHARE_LIMIT);
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
            + "This difference is within the run-to-run noise of a shared two-core machine; the target row "
            + "uses the direct measurements of PerJobCostBenchmark.",
        number(score(on)), number(score(off)), number(perJobOn), number(perJobOff),
        number(perJobOn - perJobOff), percent((perJobOn - perJobOff) / perJobOn));
  }

  // ---- the sections of each class ----------------------------------------------------------

  private static String runShape(JsonNode run) {
    return String.format(Locale.ROOT,
        "JMH %s on %s %s; %d fork(s), warmup %d × %s, measurement %d × %s, %d benchmark thread(s). "
            + "Written on a host with %d CPU(s) (%s%s %s).",
        run.path("jmhVersion").asText("?"), run.path("vmName").asText("?"), run.path("vmVersion").asText("?"),
        run.path("forks").asInt(), run.path("warmupIterations").asInt(), run.path("warmupTime").asText("?"),
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
    List<JsonNode> baselines = new ArrayList<>();
    for (JsonNode run : runs) {
      String method = methodName(run);
      if (method.equals(ENGINE)) {
        engines.add(run);
      } else if (method.equals(BASELINE)) {
        baselines.add(run);
      }
    }
    if (engines.isEmpty()) {
      out.append("No `").append(ENGINE).append("` results in this run.\n");
      return;
    }
    List<String> keys = new ArrayList<>(params(engines.get(0)).keySet());
    if (engines.get(0).path("mode").asText().equals("sample")) {
      percentileTable(out, keys, engines, baselines);
    } else {
      scoreTable(out, keys, engines, baselines);
    }
  }

  private static void scoreTable(StringBuilder out, List<String> keys, List<JsonNode> engines, List<JsonNode> baselines) {
    String unit = engines.get(0).path("primaryMetric").path("scoreUnit").asText();
    List<String> header = new ArrayList<>(keys);
    header.add("engine (" + unit + ")");
    header.add("baseline (" + unit + ")");
    header.add("engine / baseline");
    row(out, header);
    divider(out, keys.size(), 3);
    for (JsonNode engine : engines) {
      JsonNode baseline = twin(engine, baselines);
      List<String> cells = paramCells(keys, engine);
      cells.add(scoreWithError(engine));
      cells.add(baseline == null ? "–" : scoreWithError(baseline));
      cells.add(baseline == null ? "–" : String.format(Locale.ROOT, "%.2f", score(engine) / score(baseline)));
      row(out, cells);
    }
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
      row(out, List.of(param(run, "limits", "?"), param(run, "workers", "?"), scoreWithError(run),
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
      row(out, List.of("`" + methodName(run) + "`", scoreWithError(run)));
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
      row(out, List.of("baseline (ThreadPoolJobs)", number(memory.path("baselineRetainedBytesPerJob").asDouble()),
          memory.path("outputBytes").asText(), number(memory.path("baselineOverheadBytesPerJob").asDouble())));
    }
  }

  private static void httpSection(StringBuilder out, JsonNode http) {
    out.append("\n## HTTP (wrk on loopback)\n\n");
    out.append(String.format(Locale.ROOT,
        "`wrk -t%d -c%d -d%ds --latency`, each path %d times alternating, median of the runs; %s; server: %s.\n\n",
        http.path("threads").asInt(), http.path("connections").asInt(), http.path("durationSeconds").asInt(),
        http.path("rounds").asInt(), http.path("wrk").asText("wrk"), http.path("server").asText("?")));
    row(out, List.of("request", "requests/s (median)", "runs", "p50 (ms)", "p99 (ms)", "non-2xx", "socket errors"));
    divider(out, 1, 6);
    for (String path : List.of("ping", "runsync")) {
      JsonNode p = http.path(path);
      List<String> each = new ArrayList<>();
      for (JsonNode rps : p.path("rps")) {
        each.add(number(rps.asDouble()));
      }
      row(out, List.of(p.path("request").asText(path), number(p.path("medianRps").asDouble()), String.join("; ", each),
          number(p.path("p50Ms").asDouble(Double.NaN)), number(p.path("p99Ms").asDouble(Double.NaN)),
          p.path("non2xx").asText("0"), p.path("socketErrors").asText("0")));
    }
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
  private static int paramOrder(String a, String b) {
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

  private static String scoreWithError(JsonNode run) {
    double error = run.path("primaryMetric").path("scoreError").asDouble(Double.NaN);
    // JMH gives no error bar (NaN) when there are too few iterations to compute one.
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

  static String ratio(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f×", value);
  }

  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  private static String triple(double[] values) {
    return number(values[0]) + " / " + number(values[1]) + " / " + number(values[2]);
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
