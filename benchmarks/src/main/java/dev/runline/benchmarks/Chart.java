package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.spi.Json;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Draws the JMH results as two PNG bar charts (XChart, headless), each engine figure beside
 * its thread-pool baseline:
 *
 * <ul>
 *   <li>{@code chart-throughput.png}: run → COMPLETED jobs/s at every (producers, workers)
 *       point of {@link SubmitToCompleteBenchmark}, beside both baselines (the Caffeine one when
 *       the results have it);
 *   <li>{@code chart-latency.png}: the runSync round trip's p50, p99 and p99.9 of
 *       {@link RunSyncLatencyBenchmark} for each worker count, on a logarithmic axis.
 * </ul>
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar dev.runline.benchmarks.Chart
 * RESULTS.json [OUT_DIR]} (default: the results file's folder).
 */
public final class Chart {
  static final String THROUGHPUT_PNG = "chart-throughput.png";
  static final String LATENCY_PNG = "chart-latency.png";

  private static final int WIDTH = 1200;
  private static final int HEIGHT = 560;
  private static final Color ENGINE_COLOR = new Color(0x1f, 0x77, 0xb4);
  private static final Color BASELINE_COLOR = new Color(0xa0, 0xa0, 0xa0);
  private static final Color CAFFEINE_COLOR = new Color(0x60, 0x60, 0x60);

  private Chart() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Chart RESULTS.json [OUT_DIR]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    Path results = Path.of(args[0]);
    Path dir = args.length == 2 ? Path.of(args[1]) : results.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    JsonNode json = Json.mapper().readTree(results.toFile());
    String machine = Machine.describe();

    CategoryChart throughput = throughputChart(json, machine);
    if (throughput != null) {
      Path png = dir.resolve(THROUGHPUT_PNG);
      BitmapEncoder.saveBitmap(throughput, png.toString(), BitmapFormat.PNG);
      System.out.println("Written: " + png);
    }
    CategoryChart latency = latencyChart(json, machine);
    if (latency != null) {
      Path png = dir.resolve(LATENCY_PNG);
      BitmapEncoder.saveBitmap(latency, png.toString(), BitmapFormat.PNG);
      System.out.println("Written: " + png);
    }
  }

  /** The throughput chart, or {@code null} when the results hold no SubmitToCompleteBenchmark pair. */
  static CategoryChart throughputChart(JsonNode results, String machine) {
    List<JsonNode> engines = Report.runs(results, Report.SUBMIT, Report.ENGINE);
    List<JsonNode> baselines = Report.runs(results, Report.SUBMIT, Report.BASELINE);
    List<JsonNode> caffeines = Report.runs(results, Report.SUBMIT, Report.CAFFEINE_BASELINE);
    List<String> categories = new ArrayList<>();
    List<Number> engine = new ArrayList<>();
    List<Number> baseline = new ArrayList<>();
    List<Number> caffeine = new ArrayList<>();
    boolean anyCaffeine = false;
    for (int workers : Report.WORKERS) {
      for (int producers : Report.PRODUCERS) {
        JsonNode e = Report.find(engines, Map.of("producers", String.valueOf(producers), "workers", String.valueOf(workers)));
        JsonNode b = e == null ? null : Report.twin(e, baselines);
        if (b == null) {
          continue;
        }
        JsonNode c = Report.twin(e, caffeines);
        anyCaffeine |= c != null;
        categories.add(String.format(Locale.ROOT, "%d worker%s, %d producer%s",
            workers, workers == 1 ? "" : "s", producers, producers == 1 ? "" : "s"));
        engine.add(Report.score(e) / 1000);
        baseline.add(Report.score(b) / 1000);
        caffeine.add(c == null ? 0.0 : Report.score(c) / 1000);
      }
    }
    if (categories.isEmpty()) {
      return null;
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(Locale.ROOT, "Run → COMPLETED, no-op jobs: thousand jobs/s (higher is better; target: engine "
                + "≥ %.0f× baseline, ≥ %.0f× Caffeine baseline, beyond: %.0f×, %.0f×)",
            Report.THROUGHPUT_MUST, Report.CAFFEINE_MUST, Report.THROUGHPUT_BEYOND, Report.CAFFEINE_BEYOND))
        .xAxisTitle("measured on " + machine)
        .yAxisTitle("thousand jobs/s")
        .build();
    style(chart);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    bars(chart.addSeries("engine", categories, engine), ENGINE_COLOR);
    bars(chart.addSeries("threadPoolBaseline", categories, baseline), BASELINE_COLOR);
    if (anyCaffeine) {
      bars(chart.addSeries("threadPoolCaffeineBaseline", categories, caffeine), CAFFEINE_COLOR);
    }
    return chart;
  }

  /** The latency chart, or {@code null} when the results hold no RunSyncLatencyBenchmark pair. */
  static CategoryChart latencyChart(JsonNode results, String machine) {
    List<JsonNode> engines = Report.runs(results, Report.RUN_SYNC, Report.ENGINE);
    List<JsonNode> baselines = Report.runs(results, Report.RUN_SYNC, Report.BASELINE);
    String[] names = {"p50", "p99", "p99.9"};
    List<String> categories = new ArrayList<>();
    List<Number> engine = new ArrayList<>();
    List<Number> baseline = new ArrayList<>();
    for (JsonNode e : engines) {
      JsonNode b = Report.twin(e, baselines);
      if (b == null) {
        continue;
      }
      String workers = Report.param(e, "workers", "?");
      double[] ep = Report.percentilesMicros(e);
      double[] bp = Report.percentilesMicros(b);
      for (int i = 0; i < names.length; i++) {
        categories.add(names[i] + " · " + workers + " worker" + ("1".equals(workers) ? "" : "s"));
        engine.add(ep[i]);
        baseline.add(bp[i]);
      }
    }
    if (categories.isEmpty()) {
      return null;
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("runSync of a no-op job: round trip, µs (lower is better; target: p50 ≤ "
            + Report.number(Report.P50_MUST_RATIO) + "× the baseline's, beyond: ≤ " + Report.number(Report.P50_BEYOND_US)
            + " µs)")
        .xAxisTitle("measured on " + machine)
        .yAxisTitle("µs (log scale)")
        .build();
    style(chart);
    // Bars start at the axis minimum: a power of ten below the smallest value (XChart refuses 0 on a log axis).
    double smallest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < engine.size(); i++) {
      smallest = Math.min(smallest, Math.min(engine.get(i).doubleValue(), baseline.get(i).doubleValue()));
    }
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
    chart.getStyler().setYAxisDecimalPattern("#,##0.#");
    bars(chart.addSeries("engine", categories, engine), ENGINE_COLOR);
    bars(chart.addSeries("CompletableFuture on the baseline pool", categories, baseline), BASELINE_COLOR);
    return chart;
  }

  private static void style(CategoryChart chart) {
    chart.getStyler()
        .setLegendPosition(LegendPosition.OutsideS)
        .setLegendLayout(LegendLayout.Horizontal)
        .setChartBackgroundColor(Color.WHITE)
        .setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15))
        .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    chart.getStyler()
        .setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
        .setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    chart.getStyler()
        .setLabelsVisible(true)
        .setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11))
        .setLabelsPosition(0.97)
        .setAvailableSpaceFill(0.75);
  }

  private static void bars(CategorySeries series, Color color) {
    series.setFillColor(color);
    series.setLineColor(color);
  }
}
