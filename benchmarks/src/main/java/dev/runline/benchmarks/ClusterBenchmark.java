package dev.runline.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.EndpointClient;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.QueueFullException;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.Status;
import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import dev.runline.spi.Json;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Jobs through a cluster: run → COMPLETED per second and {@code runSync} latency through one
 * engine in memory (the baseline), one node on Redis, and two and three nodes sharing one
 * Redis, plus what Redis does per job. The nodes are engines in this process, each with its
 * own Redis connections, sharing one {@code redis-server} on loopback; on a two-core machine
 * they share its cores with Redis and the producers, so the figures are relative (how much the
 * shared store costs against memory), not what separate machines would reach.
 *
 * <p>Throughput: {@value #PRODUCERS} producer threads submit no-op jobs through the nodes in
 * turn, each keeping at most {@value #IN_FLIGHT} jobs of its own unfinished, for
 * {@code SECONDS} after a warm-up; jobs/s is the COMPLETED ends heard by the nodes' listeners
 * over that window. Latency: one caller, {@code runSync} after {@code runSync}, through the
 * first node. Redis work: {@code INFO commandstats} before and after the throughput window;
 * EVALSHA calls are round trips (each script is one), "commands" counts every command Redis
 * ran, those inside scripts included.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.runline.benchmarks.ClusterBenchmark [SECONDS [OUT.json
 * [WORKERS [FSYNC]]]]} (default 10 s per configuration, 2 workers per node: a worker waits on
 * Redis twice per job, so more workers overlap those waits; Redis' {@code appendfsync}
 * {@code everysec}, the setting the README recommends, or {@code always}, which waits for the
 * disk on every write). Needs {@code redis-server} on the PATH.
 */
public final class ClusterBenchmark {
  static final int PRODUCERS = 2;
  static final int IN_FLIGHT = 500;
  static final int DEFAULT_WORKERS_PER_NODE = 2;
  static final int LATENCY_SAMPLES = 3_000;
  static final int LATENCY_WARMUP = 1_000;
  static final String KEY = "cluster-benchmark-key";

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path out = args.length > 1 ? Path.of(args[1]) : null;
    int workers = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_WORKERS_PER_NODE;
    String fsync = args.length > 3 ? args[3] : "everysec";
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", Machine.describe());
    json.put("seconds", seconds);
    json.put("producers", PRODUCERS);
    json.put("inFlightPerProducer", IN_FLIGHT);
    json.put("workersPerNode", workers);
    ArrayNode results = json.putArray("results");
    json.put("redis", "appendonly yes, appendfsync " + fsync + ", maxmemory-policy noeviction");
    try (RedisServer redis = RedisServer.start("--appendfsync", fsync)) {
      for (int nodes = 0; nodes <= 3; nodes++) {
        results.add(measure(redis, nodes, seconds, workers));
      }
    }
    System.out.println(json.toPrettyString());
    if (out != null) {
      Files.writeString(out, json.toPrettyString() + "\n");
      System.out.println("Written: " + out);
    }
  }

  /** {@code nodes} nodes on {@code redis}; 0 is one engine with its jobs in memory. */
  private static ObjectNode measure(RedisServer redis, int nodes, int seconds, int workers) throws Exception {
    String name = nodes == 0 ? "memory, 1 engine" : "redis, " + nodes + (nodes == 1 ? " node" : " nodes");
    String namespace = "bench-" + System.nanoTime();
    LongAdder completed = new LongAdder();
    // Every job the producers submit takes a place; its end, heard once in the cluster, gives it back.
    Semaphore room = new Semaphore(PRODUCERS * IN_FLIGHT);
    AtomicBoolean producing = new AtomicBoolean();
    List<Runline> engines = new ArrayList<>();
    try {
      for (int n = 0; n < Math.max(1, nodes); n++) {
        RunlineBuilder builder = Runline.builder();
        if (nodes > 0) {
          builder = RedisJobs.node(builder, RedisOptions.of(redis.uri()).withNode("node-" + n).withNamespace(namespace));
        }
        engines.add(builder.apiKeys(KEY)
            .listener((endpoint, status) -> {
              if (status.status() == Status.COMPLETED) {
                completed.increment();
              }
              if (producing.get() && !status.id().startsWith("sync-")) {
                room.release();
              }
            })
            .endpoint(NoopJobs.endpoint(workers, job -> job.input()).build())
            .build());
      }
      List<EndpointClient> clients = engines.stream().map(e -> e.as(KEY).endpoint(NoopJobs.ENDPOINT)).toList();

      double[] latency = runSyncLatency(clients.get(0));
      Map<String, Long> before = nodes == 0 ? Map.of() : commandStats(redis);
      producing.set(true);
      List<Thread> producers = new ArrayList<>();
      LongAdder refused = new LongAdder();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        producers.add(new Thread(() -> {
          long n = producer;
          while (producing.get()) {
            try {
              if (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
              }
              clients.get((int) (n++ % clients.size())).run(JobRequest.of(NoopJobs.INPUT));
            } catch (QueueFullException e) {
              refused.increment();
              room.release();
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "producer-" + p));
      }
      producers.forEach(Thread::start);
      TimeUnit.SECONDS.sleep(Math.max(2, seconds / 3));
      long startCount = completed.sum();
      long start = System.nanoTime();
      TimeUnit.SECONDS.sleep(seconds);
      long jobs = completed.sum() - startCount;
      double elapsed = (System.nanoTime() - start) / 1e9;
      Map<String, Long> after = nodes == 0 ? Map.of() : commandStats(redis);
      producing.set(false);
      for (Thread producer : producers) {
        producer.join(10_000);
      }

      ObjectNode result = Json.mapper().createObjectNode();
      result.put("configuration", name);
      result.put("nodes", nodes);
      result.put("jobsPerSecond", Math.round(jobs / elapsed));
      result.put("runSyncP50Micros", round(latency[0]));
      result.put("runSyncP99Micros", round(latency[1]));
      result.put("queueFullRefusals", refused.sum());
      if (nodes > 0) {
        long evalsha = after.getOrDefault("evalsha", 0L) - before.getOrDefault("evalsha", 0L);
        long all = 0;
        ObjectNode perCommand = result.putObject("commandsPerJob");
        for (Map.Entry<String, Long> command : after.entrySet()) {
          long calls = command.getValue() - before.getOrDefault(command.getKey(), 0L);
          if (calls > 0 && !command.getKey().equals("info")) {
            all += calls;
            perCommand.put(command.getKey(), round((double) calls / jobs));
          }
        }
        result.put("scriptRoundTripsPerJob", round((double) evalsha / jobs));
        result.put("redisCommandsPerJob", round((double) all / jobs));
      }
      System.out.printf(Locale.ROOT, "%-18s %,9d jobs/s   runSync p50 %8.1f us  p99 %8.1f us%s%n", name,
          Math.round(jobs / elapsed), latency[0], latency[1],
          nodes == 0 ? "" : String.format(Locale.ROOT, "   %.2f script round trips/job, %.2f commands/job",
              result.get("scriptRoundTripsPerJob").asDouble(), result.get("redisCommandsPerJob").asDouble()));
      return result;
    } finally {
      engines.forEach(Runline::close);
    }
  }

  /** p50 and p99 of {@code runSync} round trips in microseconds, after a warm-up. */
  private static double[] runSyncLatency(EndpointClient client) throws Exception {
    long[] samples = new long[LATENCY_SAMPLES];
    for (int i = -LATENCY_WARMUP; i < LATENCY_SAMPLES; i++) {
      long start = System.nanoTime();
      JobStatus done = client.runSync(JobRequest.of(NoopJobs.INPUT), Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
      long took = System.nanoTime() - start;
      if (done.status() != Status.COMPLETED) {
        throw new IllegalStateException("a runSync job ended " + done.status() + " after " + took / 1_000_000 + " ms (sample " + i + ")");
      }
      if (i >= 0) {
        samples[i] = took;
      }
    }
    Arrays.sort(samples);
    return new double[] {samples[samples.length / 2] / 1e3, samples[(int) (samples.length * 0.99)] / 1e3};
  }

  /** Calls per command from {@code INFO commandstats}. */
  private static Map<String, Long> commandStats(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      Map<String, Long> calls = new HashMap<>();
      for (String line : connection.sync().info("commandstats").split("\r?\n")) {
        if (line.startsWith("cmdstat_")) {
          String command = line.substring("cmdstat_".length(), line.indexOf(':'));
          String field = line.substring(line.indexOf("calls=") + "calls=".length());
          calls.put(command, Long.parseLong(field.substring(0, field.indexOf(','))));
        }
      }
      return calls;
    } finally {
      client.shutdown();
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
