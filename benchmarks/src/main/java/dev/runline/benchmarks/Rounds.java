package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.spi.Json;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the JMH benchmarks in interleaved rounds, so that load that drifts over a run (other
 * work on a shared machine, a neighbour's VM) hits the engine and its baselines alike: each
 * round runs one fork of every selected benchmark, and at each parameter point of a class that
 * has an {@code engine} method and baselines ({@code threadPool...} methods) it runs the
 * engine's fork, then each baseline's fork at the same point, before moving to the next point.
 * Methods of a class without a baseline run as one fork of all their points per round. Each
 * fork writes its own JMH JSON file; {@link Report} merges them (the median of the rounds'
 * scores per benchmark and parameters).
 *
 * <p>JMH has no way of its own to interleave forks of different benchmarks (it runs all forks
 * of one benchmark, then the next), hence this driver; it runs JMH's {@link Runner} once per
 * step in this JVM, each step forking its own benchmark JVM as JMH always does.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.Rounds [--rounds N] [--dir DIR]
 * [JMH options] [benchmark regexes]}: {@code N} rounds (default 3) into {@code DIR} (default
 * {@code rounds}): {@code DIR/round-R/SS-Class.method[-params].json}, and {@code DIR/rounds.json},
 * the load average at the start of each round and the steps of a round. JMH options apply to
 * every fork (e.g. {@code -wi 1 -i 2 -p workers=2 -prof gc}); the fork count is always one per
 * round and the result format JSON.
 */
public final class Rounds {
  static final String ENGINE = Report.ENGINE;
  /** Baseline methods' names start with this ({@code threadPoolBaseline}, {@code threadPoolCaffeineBaseline}). */
  static final String BASELINE_PREFIX = "threadPool";
  static final int DEFAULT_ROUNDS = 3;
  /** How long a step waits for another JMH run on the machine to release JMH's lock. */
  static final java.time.Duration LOCK_WAIT = java.time.Duration.ofMinutes(30);

  private Rounds() {}

  /** A benchmark method as JMH lists it, with the values of each of its parameters. */
  record Method(String className, String method, Map<String, List<String>> params) {
    String benchmark() {
      return className + "." + method;
    }
  }

  /** One fork of a round: {@code benchmark} with the parameters in {@code params} fixed (the others: all their values). */
  record Step(String benchmark, Map<String, String> params) {
    /** E.g. {@code SubmitToCompleteBenchmark.engine-producers=1,workers=2}, safe as a file name. */
    String label() {
      String simple = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
      if (params.isEmpty()) {
        return simple;
      }
      List<String> pairs = new ArrayList<>();
      params.forEach((k, v) -> pairs.add(k + "=" + v));
      return (simple + "-" + String.join(",", pairs)).replaceAll("[^A-Za-z0-9._,=-]", "_");
    }
  }

  /**
   * The steps of one round, in order: per class (in the order given), at each point of the
   * parameters shared by its {@code engine} and all its baselines, the engine then each
   * baseline (by name); then the class's other methods, each whole. A class without both an
   * engine and a baseline runs each method whole.
   */
  static List<Step> plan(List<Method> methods) {
    Map<String, List<Method>> byClass = new LinkedHashMap<>();
    for (Method m : methods) {
      byClass.computeIfAbsent(m.className(), k -> new ArrayList<>()).add(m);
    }
    List<Step> steps = new ArrayList<>();
    for (List<Method> group : byClass.values()) {
      Method engine = null;
      List<Method> baselines = new ArrayList<>();
      List<Method> others = new ArrayList<>();
      for (Method m : group) {
        if (m.method().equals(ENGINE)) {
          engine = m;
        } else if (m.method().startsWith(BASELINE_PREFIX)) {
          baselines.add(m);
        } else {
          others.add(m);
        }
      }
      baselines.sort((a, b) -> a.method().compareTo(b.method()));
      if (engine == null || baselines.isEmpty()) {
        for (Method m : group) {
          steps.add(new Step(m.benchmark(), Map.of()));
        }
        continue;
      }
      Set<String> shared = new LinkedHashSet<>(sortedParams(engine.params()).keySet());
      for (Method b : baselines) {
        shared.retainAll(b.params().keySet());
      }
      for (Map<String, String> point : points(engine.params(), shared)) {
        steps.add(new Step(engine.benchmark(), point));
        for (Method b : baselines) {
          steps.add(new Step(b.benchmark(), point));
        }
      }
      for (Method m : others) {
        steps.add(new Step(m.benchmark(), Map.of()));
      }
    }
    return steps;
  }

  /** Every combination of the values of {@code names}, the first name varying slowest. */
  static List<Map<String, String>> points(Map<String, List<String>> params, Set<String> names) {
    List<Map<String, String>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (String name : names) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> point : points) {
        for (String value : params.get(name)) {
          Map<String, String> extended = new LinkedHashMap<>(point);
          extended.put(name, value);
          next.add(extended);
        }
      }
      points = next;
    }
    return points;
  }

  /** {@code producers}, then {@code workers}, then the rest by name, as the report orders them. */
  private static Map<String, List<String>> sortedParams(Map<String, List<String>> params) {
    Map<String, List<String>> sorted = new TreeMap<>(Report::paramOrder);
    sorted.putAll(params);
    return sorted;
  }

  public static void main(String[] args) throws Exception {
    int rounds = DEFAULT_ROUNDS;
    Path dir = Path.of("rounds");
    List<String> jmhArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(value(args, ++i));
        case "--dir" -> dir = Path.of(value(args, ++i));
        default -> jmhArgs.add(args[i]);
      }
    }
    if (rounds < 1) {
      usage("--rounds must be at least 1");
    }
    CommandLineOptions cmd;
    try {
      cmd = new CommandLineOptions(jmhArgs.toArray(String[]::new));
    } catch (CommandLineOptionException e) {
      usage(e.getMessage());
      return;
    }
    List<Method> methods = methods(cmd);
    if (methods.isEmpty()) {
      usage("no benchmark matches " + cmd.getIncludes() + " (excluding " + cmd.getExcludes() + ")");
    }
    List<Step> steps = plan(methods);
    Files.createDirectories(dir);
    System.out.printf(Locale.ROOT, "%d round(s) of %d fork(s) each, into %s%n", rounds, steps.size(), dir);

    List<String> loads = new ArrayList<>();
    Options base = withoutIncludes(cmd);
    for (int round = 1; round <= rounds; round++) {
      String load = loadAverage();
      loads.add(load);
      System.out.printf(Locale.ROOT, "%n==== Round %d of %d: load average %s (%d CPUs) ====%n", round, rounds, load,
          Runtime.getRuntime().availableProcessors());
      writeMeta(dir, rounds, round - 1, loads, steps, jmhArgs);
      Path roundDir = dir.resolve(String.format(Locale.ROOT, "round-%02d", round));
      Files.createDirectories(roundDir);
      for (int s = 0; s < steps.size(); s++) {
        Step step = steps.get(s);
        Path file = roundDir.resolve(String.format(Locale.ROOT, "%02d-%s.json", s + 1, step.label()));
        System.out.printf(Locale.ROOT, "%n---- Round %d/%d, fork %d/%d: %s ----%n", round, rounds, s + 1, steps.size(),
            step.label());
        ChainedOptionsBuilder options = new OptionsBuilder()
            .parent(base)
            .include("^" + Pattern.quote(step.benchmark()) + "$")
            .forks(1)
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .result(file.toString());
        step.params().forEach(options::param);
        try {
          run(options.build());
        } catch (RunnerException e) {
          System.err.println("Rounds: " + step.label() + " failed in round " + round + ": " + e.getMessage());
          System.exit(1);
        }
      }
    }
    writeMeta(dir, rounds, rounds, loads, steps, jmhArgs);
  }

  /**
   * Runs one step; while another JMH run on this machine holds JMH's lock (a run of one's
   * own, or another user's: either would skew the other's figures), waits for it, up to
   * {@link #LOCK_WAIT}.
   */
  private static void run(Options options) throws RunnerException, InterruptedException {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    boolean told = false;
    while (true) {
      try {
        new Runner(options).run();
        return;
      } catch (RunnerException e) {
        if (e.getMessage() == null || !e.getMessage().contains("JMH lock") || System.nanoTime() > deadline) {
          throw e;
        }
        if (!told) {
          System.out.println("Another JMH run holds JMH's lock; waiting for it to finish (up to "
              + LOCK_WAIT.toMinutes() + " minutes) ...");
          told = true;
        }
        Thread.sleep(1000);
      }
    }
  }

  /** The selected benchmark methods, with the parameter values the command line gives or their annotations' values. */
  static List<Method> methods(CommandLineOptions cmd) {
    List<String> includes = cmd.getIncludes().isEmpty() ? List.of(".*") : cmd.getIncludes();
    Map<String, Method> methods = new LinkedHashMap<>();
    for (BenchmarkListEntry entry : BenchmarkList.defaultList()
        .find(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), includes, cmd.getExcludes())) {
      Map<String, List<String>> params = new LinkedHashMap<>();
      for (Map.Entry<String, String[]> p : entry.getParams().orElse(Map.of()).entrySet()) {
        var given = cmd.getParameter(p.getKey());
        params.put(p.getKey(), given.hasValue() ? List.copyOf(given.get()) : List.of(p.getValue()));
      }
      String qualified = entry.getUsername();
      int dot = qualified.lastIndexOf('.');
      methods.putIfAbsent(qualified, new Method(qualified.substring(0, dot), qualified.substring(dot + 1), params));
    }
    return new ArrayList<>(methods.values());
  }

  /**
   * The command line's options without its benchmark regexes (OptionsBuilder would add them to
   * ours). A proxy whose handler is serializable, as JMH sends the options to each forked VM.
   */
  private static Options withoutIncludes(Options cmd) {
    return (Options) Proxy.newProxyInstance(Options.class.getClassLoader(), new Class<?>[] {Options.class},
        new WithoutIncludes(cmd));
  }

  private static final class WithoutIncludes implements InvocationHandler, Serializable {
    private static final long serialVersionUID = 1L;
    private final Options options;

    WithoutIncludes(Options options) {
      this.options = options;
    }

    @Override
    public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
      if (method.getName().equals("getIncludes") && method.getParameterCount() == 0) {
        return List.of();
      }
      try {
        return method.invoke(options, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  /** The 1-, 5- and 15-minute load averages from {@code /proc/loadavg}, or "unknown". */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void writeMeta(Path dir, int rounds, int completed, List<String> loads, List<Step> steps,
      List<String> jmhArgs) throws IOException {
    ObjectNode meta = Json.mapper().createObjectNode();
    meta.put("rounds", rounds);
    meta.put("completedRounds", completed);
    meta.put("cpus", Runtime.getRuntime().availableProcessors());
    meta.put("updatedAt", Instant.now().toString());
    ArrayNode loadArray = meta.putArray("loadAverages");
    loads.forEach(loadArray::add);
    ArrayNode stepArray = meta.putArray("steps");
    steps.forEach(step -> stepArray.add(step.label()));
    ArrayNode argArray = meta.putArray("jmhArgs");
    jmhArgs.forEach(argArray::add);
    Files.writeString(dir.resolve("rounds.json"), meta.toPrettyString() + "\n");
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("Rounds: " + problem);
    System.err.println("usage: Rounds [--rounds N] [--dir DIR] [JMH options] [benchmark regexes]");
    System.exit(2);
  }
}
