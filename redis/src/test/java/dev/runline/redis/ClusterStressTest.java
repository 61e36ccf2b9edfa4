package dev.runline.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.EndpointClient;
import dev.runline.Health;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.NotFoundException;
import dev.runline.Policy;
import dev.runline.QueueFullException;
import dev.runline.RateLimitedException;
import dev.runline.Runline;
import dev.runline.RunlineException;
import dev.runline.Status;
import dev.runline.TimeSource;
import dev.runline.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes sharing one real Redis under a random load: producers on every node submit
 * jobs (some low priority, some with ttls or execution timeouts shorter than their work)
 * and, at random, cancel, retry, purge and read them through any node; handlers complete,
 * fail, or work until interrupted.
 *
 * <p>Afterwards: every accepted job is accounted for (terminal, or gone after its ttl ended it
 * TIMED_OUT or its retention passed); no attempt of a job ran twice (no node was lost, so there
 * was no redelivery);
 * every attempt's end was heard once, by one node's listener; and {@code /health}, read from
 * any node, equals the recount of those ends.
 *
 * <p>The number of jobs is the system property {@code runline.cluster.stress.jobs}: 10,000 in the
 * test suite, {@code -Drunline.cluster.stress.jobs=100000} for the long run.
 */
class ClusterStressTest {
  private static final int JOBS = Integer.getInteger("runline.cluster.stress.jobs", 10_000);
  private static final int PRODUCERS_PER_NODE = 2;
  private static final String KEY = "stress-key";
  /** Generous on a busy two-core machine: 10,000 jobs take about 20 s there. */
  private static final Duration BOUND = Duration.ofMinutes(Math.max(3, JOBS / 5_000));

  /** Time on the nodes runs this many times faster than real time, so ttls and timeouts of seconds pass in milliseconds. */
  private static final long SPEED = 100;

  private final List<Runline> nodes = new ArrayList<>();
  private final long realStart = System.nanoTime();
  private final long epochStart = System.currentTimeMillis() * 1_000_000L;
  /** The nodes' shared clock: the wall clock at the start, then {@link #SPEED} times real time. */
  private final TimeSource fast = () -> epochStart + (System.nanoTime() - realStart) * SPEED;
  private final ScheduledExecutorService timerThread = Executors.newSingleThreadScheduledExecutor();
  private final Timers fastTimers = (task, delayNanos) ->
      timerThread.schedule(task, Math.max(0, delayNanos / SPEED), TimeUnit.NANOSECONDS);
  /** Handler runs per job id and attempt ("id#attempt"). */
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  /** Ends heard by the listeners, per job id and attempt. */
  private final Map<String, AtomicInteger> ends = new ConcurrentHashMap<>();
  private final Map<Status, LongAdder> endsByStatus = new EnumMap<>(Status.class);
  private final Queue<String> accepted = new ConcurrentLinkedQueue<>();
  private final LongAdder retriesWon = new LongAdder();
  private final Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
  private RedisServer redis;

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(Runline::close);
    timerThread.shutdownNow();
    if (redis != null) {
      redis.close();
    }
  }

  private Runline node(String name) {
    for (Status status : Status.values()) {
      endsByStatus.putIfAbsent(status, new LongAdder());
    }
    // A lease of an hour on the fast clock is 36 s of real time: no node is judged lost while a
    // busy machine holds up its heartbeat.
    Runline engine = RedisJobs.node(Runline.builder(), RedisOptions.of(redis.uri()).withNode(name)
            .withNamespace("stress").withLeaseTimeout(Duration.ofHours(1)))
        .time(fast)
        .timers(fastTimers)
        .apiKeys(KEY)
        .shutdownTimeout(Duration.ofSeconds(10))
        .listener((endpoint, status) -> {
          ends.computeIfAbsent(status.id() + "#" + attemptOf(status), k -> new AtomicInteger()).incrementAndGet();
          endsByStatus.get(status.status()).increment();
        })
        .endpoint(Endpoint.builder("mixed").workers(4).queueCapacity(2_000).unlimited().handler(job -> {
          runs.computeIfAbsent(job.id() + "#" + (job.retries() + 1), k -> new AtomicInteger()).incrementAndGet();
          Map<?, ?> input = (Map<?, ?>) job.input();
          switch (String.valueOf(input.get("do"))) {
            case "fail" -> throw new IllegalStateException("asked to fail");
            case "work" -> {
              long until = fast.nanoTime() + ((Number) input.get("ms")).longValue() * 1_000_000L;
              while (fast.nanoTime() < until) {
                if (Thread.currentThread().isInterrupted()) {
                  throw new InterruptedException("cancelled or timed out");
                }
                Thread.onSpinWait();
              }
              return Map.of("worked", true);
            }
            default -> {
              return input;
            }
          }
        }).build())
        .build();
    nodes.add(engine);
    return engine;
  }

  private static int attemptOf(JobStatus status) {
    return status.retries() == null ? 1 : status.retries() + 1;
  }

  @Test
  void threeNodesAccountForEveryJobOfARandomLoad() throws Exception {
    redis = RedisServer.start();
    List<Runline> cluster = List.of(node("node-1"), node("node-2"), node("node-3"));
    AtomicInteger submitted = new AtomicInteger();
    List<Thread> producers = new ArrayList<>();
    for (Runline node : cluster) {
      for (int p = 0; p < PRODUCERS_PER_NODE; p++) {
        producers.add(new Thread(() -> produce(node, cluster, submitted)));
      }
    }
    producers.forEach(Thread::start);
    for (Thread producer : producers) {
      producer.join(BOUND.toMillis());
      assertThat(producer.isAlive()).as("a producer still running after " + BOUND).isFalse();
    }
    assertThat(unexpected).isEmpty();

    EndpointClient any = cluster.get(0).as(KEY).endpoint("mixed");
    Awaitility.await("every accepted job ended").atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
      Health.Jobs jobs = any.health().jobs();
      return jobs.inQueue() == 0 && jobs.inProgress() == 0;
    });

    int gone = 0;
    for (String id : accepted) {
      try {
        JobStatus status = cluster.get(ThreadLocalRandom.current().nextInt(3)).as(KEY).endpoint("mixed").status(id);
        assertThat(status.status().isTerminal()).as("job %s is %s", id, status.status()).isTrue();
      } catch (NotFoundException e) {
        gone++;
      }
    }
    assertThat(runs.values()).as("attempts run more than once").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(ends.values()).as("attempts whose end was heard more than once").allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    Health.Jobs health = cluster.get(2).as(KEY).endpoint("mixed").health().jobs();
    assertThat(health.completed()).isEqualTo(endsByStatus.get(Status.COMPLETED).sum());
    assertThat(health.failed()).isEqualTo(endsByStatus.get(Status.FAILED).sum() + endsByStatus.get(Status.TIMED_OUT).sum());
    assertThat(health.retried()).isEqualTo(retriesWon.sum());
    assertThat(accepted.size() + retriesWon.sum()).as("every accepted attempt ended once")
        .isEqualTo(ends.size());
    System.out.printf("ClusterStressTest: %d jobs submitted on 3 nodes, %d accepted, %d retries, ends %s, %d gone"
        + " (their retention or ttl passed)%n", submitted.get(), accepted.size(), retriesWon.sum(), endsByStatus, gone);
  }

  private void produce(Runline home, List<Runline> cluster, AtomicInteger submitted) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<String> mine = new ArrayList<>();
    while (submitted.incrementAndGet() <= JOBS) {
      try {
        EndpointClient here = home.as(KEY).endpoint("mixed");
        EndpointClient there = cluster.get(random.nextInt(cluster.size())).as(KEY).endpoint("mixed");
        int roll = random.nextInt(100);
        Map<String, Object> input = roll < 70 ? Map.of("do", "echo", "n", roll)
            : roll < 80 ? Map.of("do", "fail") : Map.of("do", "work", "ms", 100 + random.nextInt(8_000));
        // One job in ten may be ended by its ttl or its execution timeout (seconds of the nodes' fast clock).
        Policy policy = random.nextInt(10) == 0
            ? new Policy(Duration.ofSeconds(5), Duration.ofSeconds(10 + random.nextInt(20)), random.nextBoolean())
            : new Policy(Duration.ofSeconds(60), Duration.ofMinutes(10), random.nextInt(5) == 0);
        JobStatus queued = here.run(new JobRequest(input, null, policy, null));
        accepted.add(queued.id());
        mine.add(queued.id());
        int action = random.nextInt(100);
        String some = mine.get(random.nextInt(mine.size()));
        if (action < 8) {
          there.cancel(some);
        } else if (action < 14) {
          JobStatus status = there.status(some);
          if (status.status() == Status.FAILED || status.status() == Status.TIMED_OUT) {
            there.retry(some);
            retriesWon.increment();
          }
        } else if (action < 15) {
          there.purgeQueue();
        } else if (action < 30) {
          there.status(some);
        }
      } catch (NotFoundException | QueueFullException | RateLimitedException e) {
        // Expected under this load: a job gone after its ttl, a full queue, a retry of a job no longer failed.
      } catch (RunlineException e) {
        // A retry that lost the race (the job was retried meanwhile through another node) is refused; nothing else is.
        if (!e.getMessage().contains("only FAILED or TIMED_OUT jobs can be retried")) {
          unexpected.add(e);
        }
      } catch (RuntimeException | Error e) {
        unexpected.add(e);
      }
    }
  }
}
