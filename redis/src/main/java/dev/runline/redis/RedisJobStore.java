package dev.runline.redis;

import dev.runline.Health;
import dev.runline.QueueFullException;
import dev.runline.Status;
import dev.runline.StoreUnavailableException;
import dev.runline.TimeSource;
import dev.runline.Timers;
import dev.runline.spi.JobId;
import dev.runline.spi.JobRecord;
import dev.runline.spi.JobState;
import dev.runline.spi.JobStore;
import dev.runline.spi.RecentJobs;
import dev.runline.spi.SharedJobStore;
import dev.runline.spi.StoredJob;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs, queues and counts of every node sharing one Redis ({@link SharedJobStore}).
 *
 * <p><b>One script per change.</b> Admission, a take, every transition, a chunk, a drain, a
 * give-back and the taking back of a lost node's jobs are each one Lua script, so each is
 * atomic against every other node's. A transition wins only if the job's version is the one
 * it was computed from (its {@link JobState#version()}), which also fences a node that lost a
 * job: its late result names a version that moved on. A start wins only on the node that took
 * the job.
 *
 * <p><b>Queues are lists</b> per endpoint and priority: admission pushes to the back, a take
 * pops from the front and records the taking node on the job and in the node's claims set, in
 * the same script, so no job is ever between a queue and a claim. A retry pushes to the back;
 * a redelivery (a lost node's running job) and a give-back (a stopping node's unstarted job) to
 * the front. Lists rather than streams with consumer groups: a job is claimed by its node, not
 * by a consumer entry, a purge or cancel must take a job out of the middle of its queue
 * ({@code LREM}), and a claim must survive as long as the node's lease, which the claims sets
 * and the heartbeats keep.
 *
 * <p><b>Expiry.</b> A live job has no Redis expiry: its ttl deadline is in the endpoint's
 * {@code ttl} set, which every node serving the endpoint looks at every 100 ms, ending the jobs
 * due through the engine (so listeners, webhooks and waiters hear of it) with the transition
 * that deletes them. A terminal job's key expires with its retention ({@code PEXPIRE}). Reads
 * are exact: a job past its deadline is not found, even before either has happened.
 *
 * <p><b>Leases.</b> Each node writes its heartbeat three times per lease; a node not seen for a
 * lease is lost: any live node takes its claims, puts the jobs it took but had not started
 * back at the front of their queues, and has the engine queue its running jobs again
 * (redelivery) or, past the redelivery limit, end them FAILED naming the node.
 *
 * <p><b>News</b> travels on one pub/sub channel; the store tells its engine of every job's
 * change and chunk, and wakes its fetchers when a job is queued.
 */
final class RedisJobStore implements SharedJobStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);
  private static final long MILLI = 1_000_000L;
  /** How often the ttl deadlines of the endpoints this node serves are looked at. */
  static final long EXPIRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Jobs ended per look, at most (the next look ends the rest). */
  private static final int EXPIRY_BATCH = 500;

  private final RedisOptions options;
  private final Keys keys;
  private final TimeSource time;
  private final Timers timers;
  private final JobStore.Context engine;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final StatefulRedisPubSubConnection<String, String> news;
  private final Scripts scripts;
  /** The endpoints this node serves (it takes their jobs), each with the monitor its fetcher waits on. */
  private final Map<String, Object> served = new ConcurrentHashMap<>();
  private final long leaseMillis;
  /** When this node may next decide other nodes are lost: a lease after it could last write its own heartbeat. */
  private volatile long judgeAfterMillis;
  private volatile boolean heartbeatFailing = true;
  private volatile boolean closed;

  RedisJobStore(RedisOptions options, RedisClient client, JobStore.Context context) {
    this.options = options;
    this.keys = new Keys(options.namespace());
    this.time = context.time();
    this.timers = context.timers();
    this.engine = context;
    this.client = client;
    this.leaseMillis = options.leaseTimeout().toMillis();
    try {
      this.connection = client.connect();
      this.redis = connection.sync();
      this.scripts = new Scripts(redis);
      this.news = client.connectPubSub();
    } catch (RedisException e) {
      throw new IllegalStateException("cannot reach Redis at " + options.where() + ": " + e.getMessage()
          + "; start it, or check the redis URI and the network", e);
    }
  }

  @Override
  public String node() {
    return options.node();
  }

  @Override
  public void start() {
    news.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        heard(message);
      }
    });
    news.sync().subscribe(keys.news);
    takeBack(true);
    heartbeat();
    timers.schedule(this::expireRegularly, EXPIRY_NANOS);
    LOG.info("node '{}' shares its jobs on Redis at {} (namespace '{}', lease {} ms)", node(), options.where(),
        options.namespace(), leaseMillis);
  }

  @Override
  public List<String> liveNodes() {
    return call(() -> redis.zrangebyscore(keys.nodes,
        io.lettuce.core.Range.create((double) (nowMillis() - leaseMillis), Double.POSITIVE_INFINITY)));
  }

  // ---- admission and queues ----------------------------------------------------------------

  @Override
  public boolean admit(JobRecord job, int capacity) {
    String id = job.id().toString();
    String endpoint = job.endpoint();
    List<String> args = new ArrayList<>();
    args.add(Integer.toString(capacity));
    args.add(id);
    args.add(Long.toString(deadlineMillis(job.state().queuedAt(), job.ttlMillis())));
    args.add(keys.news);
    args.add(endpoint);
    args.addAll(JobFields.admitted(job));
    Long admitted = call(() -> scripts.run(Scripts.ADMIT, ScriptOutputType.INTEGER,
        new String[] {keys.job(id), job.lowPriority() ? keys.lowQueue(endpoint) : keys.queue(endpoint),
            keys.counts(endpoint), keys.ttl(endpoint)}, args));
    if (admitted == null || admitted != 1) {
      return false;
    }
    // This node's own fetcher need not wait for the news to come back through Redis.
    wake(endpoint);
    return true;
  }

  @Override
  public List<JobRecord> take(String endpoint, int max, long waitNanos) throws InterruptedException {
    Object signal = served.computeIfAbsent(endpoint, e -> new Object());
    long deadline = System.nanoTime() + waitNanos;
    while (true) {
      List<Object> taken = call(() -> scripts.run(Scripts.TAKE, ScriptOutputType.MULTI,
          new String[] {keys.queue(endpoint), keys.lowQueue(endpoint), keys.claims(node())},
          List.of(Integer.toString(max), node(), keys.jobPrefix)));
      if (!taken.isEmpty()) {
        return records(taken);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      synchronized (signal) {
        // Woken by the news of a job queued; bounded, since news may be lost.
        TimeUnit.NANOSECONDS.timedWait(signal, left);
      }
    }
  }

  @Override
  public void giveBack(List<? extends StoredJob> jobs) {
    Map<String, List<String>> byEndpoint = new ConcurrentHashMap<>();
    for (StoredJob job : jobs) {
      byEndpoint.computeIfAbsent(job.endpoint(), e -> new ArrayList<>()).add(job.id().toString());
    }
    byEndpoint.forEach((endpoint, ids) -> {
      List<String> args = new ArrayList<>(List.of(node(), keys.jobPrefix, keys.news, endpoint));
      args.addAll(ids);
      call(() -> scripts.run(Scripts.GIVE_BACK, ScriptOutputType.INTEGER,
          new String[] {keys.queue(endpoint), keys.lowQueue(endpoint), keys.claims(node())}, args));
    });
  }

  @Override
  public List<JobId> claimed() {
    return call(() -> redis.smembers(keys.claims(node()))).stream().map(JobId::parse).toList();
  }

  @Override
  public List<JobRecord> queued(String endpoint) {
    List<Object> queued = call(() -> scripts.run(Scripts.QUEUED, ScriptOutputType.MULTI,
        new String[] {keys.queue(endpoint), keys.lowQueue(endpoint), keys.nodes},
        List.of(keys.jobPrefix, keys.claimsPrefix, endpoint)));
    return records(queued);
  }

  // ---- reads ---------------------------------------------------------------------------------

  @Override
  public JobRecord load(JobId id) {
    String key = id.toString();
    Map<String, String> fields = call(() -> redis.hgetall(keys.job(key)));
    if (fields == null || fields.isEmpty() || fields.get("st") == null) {
      return null;
    }
    JobRecord record = JobFields.record(key, fields);
    return isKept(record, fields, time.nanoTime()) ? record : null;
  }

  @Override
  public StoredJob find(JobId id) {
    JobRecord record = load(id);
    return record == null ? null : engine.restore(record);
  }

  /** Whether a job is still kept at {@code now}: before its ttl while live, its retention once terminal. */
  private static boolean isKept(JobRecord record, Map<String, String> fields, long now) {
    JobState s = record.state();
    long deadline = s.status().isTerminal() ? JobFields.longOf(fields, "ke")
        : s.queuedAt() + record.ttlMillis() * MILLI;
    long shortened = JobFields.longOf(fields, "sh");
    if (shortened != 0 && shortened - deadline < 0) {
      deadline = shortened;
    }
    return deadline == 0 || now - deadline < 0;
  }

  /** One window for every node ({@link RedisRecentJobs}), so a listing on any node sees every node's jobs. */
  @Override
  public RecentJobs recentJobs(String endpoint, int capacity) {
    return new RedisRecentJobs(redis, scripts, options, endpoint, capacity);
  }

  @Override
  public Health.Jobs counts(String endpoint) {
    Map<String, String> counts = call(() -> redis.hgetall(keys.counts(endpoint)));
    return new Health.Jobs(count(counts, "completed"), count(counts, "failed"), count(counts, "inProgress"),
        count(counts, "inQueue"), count(counts, "retried"));
  }

  private static long count(Map<String, String> counts, String name) {
    String value = counts == null ? null : counts.get(name);
    return value == null ? 0 : Math.max(0, Long.parseLong(value));
  }

  @Override
  public void reportWorkers(String endpoint, Health.Workers local) {
    String report = local.idle() + " " + local.initializing() + " " + local.ready() + " " + local.running() + " "
        + local.throttled() + " " + local.unhealthy();
    call(() -> redis.set(keys.workers(endpoint) + node(), report, SetArgs.Builder.px(leaseMillis)));
  }

  @Override
  public Health.Workers workers(String endpoint) {
    List<Long> sums = call(() -> scripts.run(Scripts.WORKERS, ScriptOutputType.MULTI, new String[] {keys.nodes},
        List.of(Long.toString(nowMillis() - leaseMillis), keys.workers(endpoint))));
    return new Health.Workers(sums.get(0).intValue(), sums.get(1).intValue(), sums.get(2).intValue(),
        sums.get(3).intValue(), sums.get(4).intValue(), sums.get(5).intValue());
  }

  // ---- transitions ---------------------------------------------------------------------------

  @Override
  public void insert(StoredJob job) {
    // Nothing: a shared store's jobs come in by admit, which stores them with their queue place.
  }

  @Override
  public boolean compareAndSet(StoredJob job, JobState expected, JobState next) {
    return change(job, expected, next, false);
  }

  @Override
  public boolean expire(StoredJob job, JobState expected, JobState next) {
    return change(job, expected, next, true);
  }

  private boolean change(StoredJob job, JobState expected, JobState next, boolean expiring) {
    String id = job.id().toString();
    String endpoint = job.endpoint();
    long keptUntil = next.status().isTerminal() ? next.endedAt() + job.retentionNanos() : 0;
    long keepMillis = Math.max(1, (keptUntil - time.nanoTime()) / MILLI);
    List<String> args = new ArrayList<>(40);
    args.add(Integer.toString(expected.version()));
    args.add(Integer.toString(next.version()));
    args.add(next.status().name());
    args.add(Long.toString(keepMillis));
    args.add(keys.news);
    args.add(id);
    args.add(node());
    args.add(Integer.toString(capacity(job)));
    args.add(Long.toString(deadlineMillis(next.queuedAt(), (int) (job.ttlNanos() / MILLI))));
    args.add(expiring ? "expire" : "");
    args.add(keys.claimsPrefix);
    args.add(endpoint);
    args.addAll(JobFields.state(next, keptUntil));
    List<Object> answer = call(() -> scripts.run(Scripts.CHANGE, ScriptOutputType.MULTI,
        new String[] {keys.job(id), keys.counts(endpoint), keys.ttl(endpoint), keys.queue(endpoint),
            keys.lowQueue(endpoint), keys.chunks(id)}, args));
    String outcome = String.valueOf(answer.get(0));
    switch (outcome) {
      case "OK":
        job.compareAndSetState(expected, next);
        return true;
      case "STALE":
        // Another node changed the job since this one looked: the engine computes again from what is kept.
        job.observe(JobFields.stateOf(JobFields.map(answer.get(1))));
        return false;
      case "FULL":
        throw new QueueFullException("endpoint '" + endpoint + "' has " + capacity(job)
            + " jobs waiting, its queue capacity; nothing was retried, retry later");
      default:
        // GONE: the job's retention or ttl passed meanwhile; no change of it applies any more.
        return false;
    }
  }

  /** The queue capacity of the job's endpoint: a retry must fit in it. */
  private static int capacity(StoredJob job) {
    return job.queueCapacity();
  }

  @Override
  public void shorten(StoredJob job, long keepNanos) {
    String id = job.id().toString();
    long until = time.nanoTime() + keepNanos;
    call(() -> {
      String current = redis.hget(keys.job(id), "sh");
      if (current == null || until - Long.parseLong(current) < 0) {
        redis.hset(keys.job(id), "sh", Long.toString(until));
      }
      if (job.state().status().isTerminal()) {
        redis.pexpire(keys.job(id), Math.max(1, keepNanos / MILLI));
      } else {
        redis.zadd(keys.ttl(job.endpoint()), io.lettuce.core.ZAddArgs.Builder.xx().lt(), (double) (until / MILLI), id);
      }
      return null;
    });
  }

  @Override
  public void remove(StoredJob job) {
    // Nothing: admission is one step here, so no job is ever stored and then refused.
  }

  @Override
  public void forEachLive(Consumer<StoredJob> action) {
    // The engine keeps the jobs this node runs itself; the store's queue is Redis's.
  }

  @Override
  public void cleanUp() {
    expireDue();
  }

  // ---- streams -------------------------------------------------------------------------------

  @Override
  public boolean emit(StoredJob job, JobState running, Object chunk) {
    String id = job.id().toString();
    Long added = call(() -> scripts.run(Scripts.CHUNK, ScriptOutputType.INTEGER,
        new String[] {keys.job(id), keys.chunks(id)},
        List.of(Integer.toString(running.attempt()), running.workerId(), Integer.toString(running.startedMillis()),
            JobFields.json(chunk), keys.news, id)));
    return added != null && added == 1;
  }

  @Override
  public List<Object> chunks(JobId id) {
    List<String> chunks = call(() -> redis.lrange(keys.chunks(id.toString()), 0, -1));
    return parsed(chunks);
  }

  @Override
  public List<Object> drain(JobId id, boolean outputIsChunk) {
    String key = id.toString();
    List<Object> chunks = call(() -> scripts.run(Scripts.DRAIN, ScriptOutputType.MULTI,
        new String[] {keys.job(key), keys.chunks(key)}, List.of(outputIsChunk ? "1" : "0")));
    return parsed(chunks);
  }

  private static List<Object> parsed(List<?> chunks) {
    List<Object> out = new ArrayList<>(chunks.size());
    for (Object chunk : chunks) {
      out.add(JobFields.parse(String.valueOf(chunk)));
    }
    return out;
  }

  // ---- news ----------------------------------------------------------------------------------

  private void heard(String message) {
    int space = message.indexOf(' ');
    if (space < 0) {
      return;
    }
    String kind = message.substring(0, space);
    String rest = message.substring(space + 1);
    switch (kind) {
      case "ready" -> wake(rest);
      case "job", "chunk" -> {
        int end = rest.indexOf(' ');
        JobId id = JobId.parse(end < 0 ? rest : rest.substring(0, end));
        if (id != null) {
          engine.changed(id, end < 0 ? -1 : versionOf(rest.substring(end + 1)));
        }
      }
      default -> { }
    }
  }

  /** Wakes this node's take of {@code endpoint}'s jobs waiting for one to be queued. */
  private void wake(String endpoint) {
    Object signal = served.get(endpoint);
    if (signal != null) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }

  /** The version a "job" message names; -1 (unknown: the engine looks) for anything else. */
  private static int versionOf(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ---- expiry and leases ---------------------------------------------------------------------

  private void expireRegularly() {
    if (closed) {
      return;
    }
    try {
      expireDue();
      heartbeatWhenDue();
    } catch (RuntimeException e) {
      LOG.debug("node '{}': expiry and heartbeat not done: {}", node(), e.toString());
    } finally {
      timers.schedule(this::expireRegularly, EXPIRY_NANOS);
    }
  }

  /** Ends, through the engine, every live job of the endpoints served here whose ttl passed. */
  private void expireDue() {
    for (String endpoint : served.keySet()) {
      List<Object> due = call(() -> scripts.run(Scripts.DUE, ScriptOutputType.MULTI,
          new String[] {keys.ttl(endpoint)},
          List.of(Long.toString(nowMillis()), Integer.toString(EXPIRY_BATCH), keys.jobPrefix)));
      for (JobRecord record : records(due)) {
        StoredJob job = engine.restore(record);
        if (job != null) {
          engine.onExpired().accept(job);
        }
      }
    }
  }

  private long lastHeartbeatNanos;

  private void heartbeatWhenDue() {
    long now = time.nanoTime();
    if (now - lastHeartbeatNanos >= TimeUnit.MILLISECONDS.toNanos(leaseMillis / 3)) {
      heartbeat();
      takeBackLostNodes();
    }
  }

  /** Writes this node's heartbeat; after a time without one, it waits a lease before judging others. */
  private void heartbeat() {
    try {
      call(() -> redis.zadd(keys.nodes, (double) nowMillis(), node()));
      lastHeartbeatNanos = time.nanoTime();
      if (heartbeatFailing) {
        // Others may not have written theirs while Redis was out of reach either: give them a lease.
        judgeAfterMillis = nowMillis() + leaseMillis;
        heartbeatFailing = false;
      }
    } catch (StoreUnavailableException e) {
      heartbeatFailing = true;
      throw e;
    }
  }

  private void takeBackLostNodes() {
    if (nowMillis() < judgeAfterMillis) {
      return;
    }
    takeBack(false);
  }

  /**
   * Takes back the claims of the nodes whose lease ran out, or with {@code previousLife} the
   * claims this node's name still holds from before it started (a node restarted after a
   * crash): jobs taken but not started go back to their queue, running ones are redelivered
   * or, past the limit, FAILED.
   */
  private void takeBack(boolean previousLife) {
    List<Object> lost = call(() -> scripts.run(Scripts.LOST, ScriptOutputType.MULTI, new String[] {keys.nodes},
        List.of(node(), Long.toString(nowMillis() - leaseMillis), keys.claimsPrefix, keys.jobPrefix, keys.queuePrefix,
            keys.lowQueuePrefix, keys.news, previousLife ? "self" : "")));
    for (int i = 0; i + 1 < lost.size(); i += 2) {
      String node = String.valueOf(lost.get(i));
      List<?> running = (List<?>) lost.get(i + 1);
      if (previousLife) {
        if (!running.isEmpty()) {
          LOG.warn("node '{}' starts again: it takes back the {} job(s) it was running before", node,
              running.size() / 2);
        }
      } else {
        LOG.warn("node '{}' is lost (no heartbeat for {} ms): node '{}' takes back its {} running job(s)", node,
            leaseMillis, node(), running.size() / 2);
      }
      for (int j = 0; j + 1 < running.size(); j += 2) {
        Map<String, String> fields = JobFields.map(running.get(j + 1));
        JobRecord record = JobFields.record(String.valueOf(running.get(j)), fields);
        int redeliveries = JobFields.intOf(fields, "rd");
        StoredJob job = engine.restore(record);
        if (job != null) {
          engine.lost(job, node, redeliveries >= options.maxRedeliveries(), redeliveries);
        }
      }
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private List<JobRecord> records(List<Object> flat) {
    List<JobRecord> records = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      records.add(JobFields.record(String.valueOf(flat.get(i)), JobFields.map(flat.get(i + 1))));
    }
    return records;
  }

  private long nowMillis() {
    return time.nanoTime() / MILLI;
  }

  private static long deadlineMillis(long queuedAt, int ttlMillis) {
    return queuedAt / MILLI + ttlMillis;
  }

  private <T> T call(Supplier<T> command) {
    return RedisJobs.call(options, command);
  }

  @Override
  public void close() {
    closed = true;
    try {
      news.close();
      connection.close();
    } finally {
      RedisJobs.shutdown(client);
    }
  }

  Set<String> served() {
    return served.keySet();
  }
}
