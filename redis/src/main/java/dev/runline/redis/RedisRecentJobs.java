package dev.runline.redis;

import dev.runline.spi.JobId;
import dev.runline.spi.RecentJobs;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.function.Supplier;

/**
 * One endpoint's window of recent job ids in Redis, shared by every node, so {@code /requests}
 * on any node lists the jobs admitted on all of them:
 *
 * <pre>
 * {ns}:recent-seq:{endpoint}        string  the last position given on the endpoint
 * {ns}:recent:{endpoint}:{owner}    zset    an owner's ids by position, the last capacity kept
 * </pre>
 *
 * <p>One window per owner (the digest of the API key, never the key), so a listing walks only
 * the caller's ids, a round trip per {@value #BATCH}, and one busy key cannot push another's
 * jobs out of its window; positions come from one counter per endpoint, so they are ordered
 * across owners and nodes. Adding is one script (the position, the id, the trim), atomic
 * against every node. A job whose ttl or retention passed leaves its window when a walk meets
 * it ({@link #forget}); the capacity bounds what an idle owner's window holds meanwhile.
 */
final class RedisRecentJobs implements RecentJobs {
  static final String ADD = "recent-add.lua";
  /** The ids read per round trip of a walk. */
  static final int BATCH = 100;

  private final RedisCommands<String, String> redis;
  private final Scripts scripts;
  private final RedisOptions options;
  private final String sequence;
  private final String windowPrefix;
  private final String capacity;

  RedisRecentJobs(RedisCommands<String, String> redis, Scripts scripts, RedisOptions options, String endpoint,
      int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a window of recent jobs needs a capacity of at least 1, was " + capacity);
    }
    this.redis = redis;
    this.scripts = scripts;
    this.options = options;
    this.sequence = options.namespace() + ":recent-seq:" + endpoint;
    this.windowPrefix = options.namespace() + ":recent:" + endpoint + ":";
    this.capacity = Integer.toString(capacity);
  }

  @Override
  public void add(JobId id, String owner) {
    call(() -> scripts.run(ADD, ScriptOutputType.INTEGER, new String[] {sequence, window(owner)},
        List.of(id.toString(), capacity)));
  }

  @Override
  public void visitBefore(String owner, long before, Visitor visitor) {
    String window = window(owner);
    Range.Boundary<Long> upper = before == Long.MAX_VALUE ? Range.Boundary.unbounded() : Range.Boundary.excluding(before);
    while (true) {
      Range<Long> range = Range.from(Range.Boundary.unbounded(), upper);
      List<ScoredValue<String>> batch = call(() -> redis.zrevrangebyscoreWithScores(window, range,
          Limit.create(0, BATCH)));
      for (ScoredValue<String> entry : batch) {
        long position = (long) entry.getScore();
        JobId id = JobId.parse(entry.getValue());
        if (id != null && !visitor.visit(position, id)) {
          return;
        }
        upper = Range.Boundary.excluding(position);
      }
      if (batch.size() < BATCH) {
        return;
      }
    }
  }

  @Override
  public void forget(JobId id, String owner) {
    call(() -> redis.zrem(window(owner), id.toString()));
  }

  private String window(String owner) {
    return windowPrefix + owner;
  }

  private <T> T call(Supplier<T> command) {
    return RedisJobs.call(options, command);
  }
}
