package dev.runline.server;

import dev.runline.Endpoint;
import dev.runline.Health;
import dev.runline.JobListener;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.RunlineException;
import dev.runline.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The dashboard's figures of every endpoint, second by second for the last
 * {@value #SECONDS_KEPT} seconds: jobs ended per second by status, queue depth and jobs in
 * progress, and percentiles of delay and execution time; and, for the overview, the
 * endpoint's {@code /health} counts and the last minute's totals and percentiles.
 *
 * <p>Jobs' ends come from the engine's events (this is a {@link JobListener}): a count per
 * status, and the delay and execution time into HdrHistogram {@link Recorder}s, which many
 * workers record into without a lock while {@link #tick} takes each second's interval
 * histogram. Each second is kept as a few numbers; the minute's percentiles come from six
 * ten-second histograms, so memory stays bounded however many jobs run: 15 minutes of
 * numbers and seven small histograms per endpoint and measure.
 */
final class DashboardFigures implements JobListener {
  /** 15 minutes. */
  static final int SECONDS_KEPT = 15 * 60;
  private static final int SIGNIFICANT_DIGITS = 2;
  private static final int TENS_KEPT = 6;

  private final Runline engine;
  private final Map<String, EndpointFigures> endpoints = new LinkedHashMap<>();
  /** The cluster's live nodes, this one first, as last read (none without a shared store). */
  private List<String> nodes = List.of();

  DashboardFigures(Runline engine) {
    this.engine = engine;
    for (String name : engine.inspect().endpoints()) {
      endpoints.put(name, new EndpointFigures(engine.inspect().endpoint(name)));
    }
  }

  @Override
  public void onTerminal(String endpoint, JobStatus status) {
    EndpointFigures figures = endpoints.get(endpoint);
    if (figures != null) {
      figures.ended(status);
    }
  }

  /**
   * Closes the second of {@code epochMillis}: what ended since the last tick, and the counts
   * now. Counts that cannot be read (a shared store out of reach) leave a gap in the queue
   * series, and the overview keeps the last counts read.
   */
  synchronized void tick(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    try {
      nodes = engine.inspect().nodes();
    } catch (RunlineException unreadable) {
      // The nodes last read stay shown.
    }
    for (EndpointFigures figures : endpoints.values()) {
      Health now;
      try {
        now = engine.inspect().health(figures.name);
      } catch (RunlineException unreadable) {
        now = null;
      }
      figures.tick(second, now);
    }
  }

  /** Every endpoint with its whole series: what a new viewer is sent first. */
  synchronized Map<String, Object> snapshot() {
    return view(SECONDS_KEPT);
  }

  /** Every endpoint with the newest second only: what each tick sends. */
  synchronized Map<String, Object> latest() {
    return view(1);
  }

  private Map<String, Object> view(int seconds) {
    List<Object> list = new ArrayList<>();
    for (EndpointFigures figures : endpoints.values()) {
      list.add(figures.view(seconds));
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("secondsKept", SECONDS_KEPT);
    view.put("nodes", nodes);
    view.put("endpoints", list);
    return view;
  }

  /** One endpoint's figures. Recording is thread-safe; the rest runs under the outer lock. */
  private static final class EndpointFigures {
    private final String name;
    private final String backend;
    private final int workers;
    private final LongAdder[] ended = new LongAdder[Status.values().length];
    private final long[] endedSeen = new long[Status.values().length];
    private final Recorder delays = new Recorder(SIGNIFICANT_DIGITS);
    private final Recorder executions = new Recorder(SIGNIFICANT_DIGITS);
    private Histogram delaySecond;
    private Histogram executionSecond;
    private final Histogram[] delayTens = new Histogram[TENS_KEPT];
    private final Histogram[] executionTens = new Histogram[TENS_KEPT];
    private final Histogram minute = new Histogram(SIGNIFICANT_DIGITS);
    private long currentTen = Long.MIN_VALUE;
    private Health health;

    /** The seconds kept, oldest first, in a ring of {@value #SECONDS_KEPT}. */
    private final long[] seconds = new long[SECONDS_KEPT];
    private final long[][] counts = new long[Series.values().length][SECONDS_KEPT];
    private int newest = -1;
    private int size;

    /** What each second keeps; the percentiles are -1 when no job ended in that second. */
    private enum Series {
      COMPLETED("completed"), FAILED("failed"), TIMED_OUT("timedOut"), CANCELLED("cancelled"),
      IN_QUEUE("inQueue"), IN_PROGRESS("inProgress"),
      DELAY_P50("delayP50"), DELAY_P95("delayP95"), DELAY_P99("delayP99"),
      EXECUTION_P50("executionP50"), EXECUTION_P95("executionP95"), EXECUTION_P99("executionP99");

      final String key;

      Series(String key) {
        this.key = key;
      }
    }

    EndpointFigures(Endpoint endpoint) {
      this.name = endpoint.name();
      this.backend = endpoint.backend();
      this.workers = endpoint.workers();
      for (int i = 0; i < ended.length; i++) {
        ended[i] = new LongAdder();
      }
      for (int i = 0; i < TENS_KEPT; i++) {
        delayTens[i] = new Histogram(SIGNIFICANT_DIGITS);
        executionTens[i] = new Histogram(SIGNIFICANT_DIGITS);
      }
    }

    void ended(JobStatus status) {
      ended[status.status().ordinal()].increment();
      if (status.delayTime() != null) {
        delays.recordValue(Math.max(0, status.delayTime()));
      }
      if (status.executionTime() != null) {
        executions.recordValue(Math.max(0, status.executionTime()));
      }
    }

    /** Closes {@code second}, with the endpoint's counts {@code now}, or {@code null} when they could not be read. */
    void tick(long second, Health now) {
      if (now != null) {
        health = now;
      }
      delaySecond = delays.getIntervalHistogram(delaySecond);
      executionSecond = executions.getIntervalHistogram(executionSecond);
      long ten = Math.floorDiv(second, 10);
      if (ten != currentTen) {
        // Clears the slots of the ten-second spans that passed (at most all of them).
        long passed = currentTen == Long.MIN_VALUE ? TENS_KEPT : Math.min(TENS_KEPT, ten - currentTen);
        for (long t = ten - passed + 1; t <= ten; t++) {
          delayTens[slot(t)].reset();
          executionTens[slot(t)].reset();
        }
        currentTen = ten;
      }
      delayTens[slot(ten)].add(delaySecond);
      executionTens[slot(ten)].add(executionSecond);

      int at;
      if (size > 0 && seconds[newest] == second) {
        // Two ticks within one second (the timer drifted): the second takes both.
        at = newest;
      } else {
        newest = (newest + 1) % SECONDS_KEPT;
        size = Math.min(size + 1, SECONDS_KEPT);
        at = newest;
        seconds[at] = second;
        for (long[] series : counts) {
          series[at] = 0;
        }
      }
      counts[Series.COMPLETED.ordinal()][at] += endedSince(Status.COMPLETED);
      counts[Series.FAILED.ordinal()][at] += endedSince(Status.FAILED);
      counts[Series.TIMED_OUT.ordinal()][at] += endedSince(Status.TIMED_OUT);
      counts[Series.CANCELLED.ordinal()][at] += endedSince(Status.CANCELLED);
      counts[Series.IN_QUEUE.ordinal()][at] = now == null ? -1 : now.jobs().inQueue();
      counts[Series.IN_PROGRESS.ordinal()][at] = now == null ? -1 : now.jobs().inProgress();
      percentiles(delaySecond, at, Series.DELAY_P50, Series.DELAY_P95, Series.DELAY_P99);
      percentiles(executionSecond, at, Series.EXECUTION_P50, Series.EXECUTION_P95, Series.EXECUTION_P99);
    }

    private static int slot(long ten) {
      return (int) Math.floorMod(ten, (long) TENS_KEPT);
    }

    private long endedSince(Status status) {
      long total = ended[status.ordinal()].sum();
      long since = total - endedSeen[status.ordinal()];
      endedSeen[status.ordinal()] = total;
      return since;
    }

    private void percentiles(Histogram second, int at, Series p50, Series p95, Series p99) {
      boolean any = second.getTotalCount() > 0;
      counts[p50.ordinal()][at] = any ? second.getValueAtPercentile(50) : -1;
      counts[p95.ordinal()][at] = any ? second.getValueAtPercentile(95) : -1;
      counts[p99.ordinal()][at] = any ? second.getValueAtPercentile(99) : -1;
    }

    Map<String, Object> view(int secondsWanted) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("name", name);
      view.put("backend", backend);
      view.put("workersConfigured", workers);
      if (health != null) {
        view.put("health", health);
      }
      view.put("lastMinute", lastMinute());
      int n = Math.min(secondsWanted, size);
      Map<String, Object> series = new LinkedHashMap<>();
      List<Long> times = new ArrayList<>(n);
      for (int i = n - 1; i >= 0; i--) {
        times.add(seconds[Math.floorMod(newest - i, SECONDS_KEPT)]);
      }
      series.put("t", times);
      for (Series s : Series.values()) {
        List<Long> values = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
          long value = counts[s.ordinal()][Math.floorMod(newest - i, SECONDS_KEPT)];
          // Below zero: nothing to measure (no job ended that second) or counts not read; a gap in the chart.
          values.add(value < 0 ? null : value);
        }
        series.put(s.key, values);
      }
      view.put("series", series);
      return view;
    }

    /** The last 60 seconds' totals, and the percentiles of the last minute's ten-second spans. */
    private Map<String, Object> lastMinute() {
      Map<String, Object> minuteView = new LinkedHashMap<>();
      long completed = 0;
      long failed = 0;
      long timedOut = 0;
      long cancelled = 0;
      if (size > 0) {
        long since = seconds[newest] - 60;
        for (int i = 0; i < size; i++) {
          int at = Math.floorMod(newest - i, SECONDS_KEPT);
          if (seconds[at] <= since) {
            break;
          }
          completed += counts[Series.COMPLETED.ordinal()][at];
          failed += counts[Series.FAILED.ordinal()][at];
          timedOut += counts[Series.TIMED_OUT.ordinal()][at];
          cancelled += counts[Series.CANCELLED.ordinal()][at];
        }
      }
      minuteView.put("completed", completed);
      minuteView.put("failed", failed + timedOut);
      minuteView.put("timedOut", timedOut);
      minuteView.put("cancelled", cancelled);
      putPercentiles(minuteView, delayTens, "delayP50", "delayP95");
      putPercentiles(minuteView, executionTens, "executionP50", "executionP95");
      return minuteView;
    }

    private void putPercentiles(Map<String, Object> view, Histogram[] tens, String p50, String p95) {
      minute.reset();
      for (Histogram ten : tens) {
        minute.add(ten);
      }
      boolean any = minute.getTotalCount() > 0;
      view.put(p50, any ? minute.getValueAtPercentile(50) : null);
      view.put(p95, any ? minute.getValueAtPercentile(95) : null);
    }
  }
}
