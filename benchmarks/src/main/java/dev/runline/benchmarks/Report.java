package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Turns a JMH JSON result file into a short Markdown summary: for each benchmark class, its
 * {@code engine} method beside its {@code threadPoolBaseline} twin with the same parameters.
 * Score modes (throughput, average time) get the scores and their engine / baseline ratio;
 * sample-time mode gets the p50, p99 and p99.9 of both.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.Report RESULTS.json [SUMMARY.md]};
 * the summary goes to standard output, and to {@code SUMMARY.md} when given.
 */
public final class Report {
  static final String ENGINE = "engine";
  static final String BASELINE = "threadPoolBaseline";

  /** What each benchmark class measures, in one line; a class not listed gets its name only. */
  private static final Map<String, String> DESCRIPTIONS = Map.of(
      "SubmitToCompleteBenchmark",
      "no-op jobs per second from submission to COMPLETED (one op = one job; higher is better)",
      "RunSyncLatencyBenchmark",
      "round trip of one synchronous no-op job, from the call to the result in hand (lower is better)");

  private static final String[] PERCENTILES = {"50.0", "99.0", "99.9"};

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Report RESULTS.json [SUMMARY.md]");
      System.exit(2);
    }
    JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    String summary = summarize(results, Path.of(args[0]).getFileName().toString());
    System.out.print(summary);
    if (args.length == 2) {
      Files.writeString(Path.of(args[1]), summary);
    }
  }

  /** The Markdown summary of {@code results}, JMH's JSON array of runs, read from {@code source}. */
  static String summarize(JsonNode results, String source) {
    if (!results.isArray() || results.isEmpty()) {
      throw new IllegalArgumentException("expected JMH's JSON results: a non-empty array of runs");
    }
    StringBuilder out = new StringBuilder("# Runline benchmarks\n\n");
    out.append("From `").append(source).append("`: ").append(runShape(results.get(0))).append("\n\n");
    out.append("Each engine figure is paired with its thread-pool baseline of the same parameters: "
        + "a ThreadPoolExecutor (with a ConcurrentHashMap of job records where jobs are queried "
        + "later), as a user would write without Runline. A ± is JMH's 99.9% confidence interval over the measurement "
        + "iterations; with few iterations it is wide.\n");

    Map<String, List<JsonNode>> byClass = new LinkedHashMap<>();
    for (JsonNode run : results) {
      byClass.computeIfAbsent(className(run), k -> new ArrayList<>()).add(run);
    }
    for (Map.Entry<String, List<JsonNode>> entry : byClass.entrySet()) {
      section(out, entry.getKey(), entry.getValue());
    }
    return out.toString();
  }

  private static String runShape(JsonNode run) {
    return String.format(Locale.ROOT,
        "JMH %s on %s %s; %d fork(s), warmup %d × %s, measurement %d × %s, %d benchmark thread(s). "
            + "Written on a host with %d CPU(s) (%s %s).",
        run.path("jmhVersion").asText("?"), run.path("vmName").asText("?"), run.path("vmVersion").asText("?"),
        run.path("forks").asInt(), run.path("warmupIterations").asInt(), run.path("warmupTime").asText("?"),
        run.path("measurementIterations").asInt(), run.path("measurementTime").asText("?"),
        run.path("threads").asInt(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  private static void section(StringBuilder out, String className, List<JsonNode> runs) {
    String simpleName = className.substring(className.lastIndexOf('.') + 1);
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

  private static Map<String, String> params(JsonNode run) {
    Map<String, String> params = new TreeMap<>(Report::paramOrder);
    for (Map.Entry<String, JsonNode> param : run.path("params").properties()) {
      params.put(param.getKey(), param.getValue().asText());
    }
    return params;
  }

  /** {@code workers} first, as it is the parameter every benchmark here varies; then by name. */
  private static int paramOrder(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (a.equals("workers")) {
      return -1;
    }
    if (b.equals("workers")) {
      return 1;
    }
    return a.compareTo(b);
  }

  private static List<String> paramCells(List<String> keys, JsonNode run) {
    Map<String, String> params = params(run);
    List<String> cells = new ArrayList<>();
    for (String key : keys) {
      cells.add(params.getOrDefault(key, ""));
    }
    return cells;
  }

  private static double score(JsonNode run) {
    return run.path("primaryMetric").path("score").asDouble();
  }

  private static String scoreWithError(JsonNode run) {
    double error = run.path("primaryMetric").path("scoreError").asDouble(Double.NaN);
    // JMH gives no error bar (NaN) when there are too few iterations to compute one.
    return Double.isNaN(error) ? number(score(run)) : number(score(run)) + " ± " + number(error);
  }

  private static double percentile(JsonNode run, String p) {
    return run.path("primaryMetric").path("scorePercentiles").path(p).asDouble(Double.NaN);
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

  /** Thousands grouped for large figures; a few significant digits for small ones. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    double magnitude = Math.abs(value);
    String pattern = magnitude >= 1000 ? "%,.0f" : magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, pattern, value);
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

  private static String className(JsonNode run) {
    String benchmark = run.path("benchmark").asText();
    return benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
  }

  private static String methodName(JsonNode run) {
    String benchmark = run.path("benchmark").asText();
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
