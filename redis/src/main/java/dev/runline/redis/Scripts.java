package dev.runline.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's Lua scripts (resources beside this class), run by their SHA1 ({@code EVALSHA});
 * a Redis that does not know a script (it restarted) is given it again.
 */
final class Scripts {
  static final String ADMIT = "admit.lua";
  static final String TAKE = "take.lua";
  static final String CHANGE = "change.lua";
  static final String CHUNK = "chunk.lua";
  static final String DRAIN = "drain.lua";
  static final String GIVE_BACK = "give-back.lua";
  static final String LOST = "lost.lua";
  static final String WORKERS = "workers.lua";
  static final String QUEUED = "queued.lua";
  static final String DUE = "due.lua";

  private final RedisCommands<String, String> redis;
  private final Map<String, String> sources = new ConcurrentHashMap<>();
  private final Map<String, String> shas = new ConcurrentHashMap<>();

  Scripts(RedisCommands<String, String> redis) {
    this.redis = redis;
  }

  <T> T run(String script, ScriptOutputType type, String[] keys, List<String> args) {
    String[] values = args.toArray(String[]::new);
    String sha = shas.computeIfAbsent(script, s -> redis.scriptLoad(source(s)));
    try {
      return redis.evalsha(sha, type, keys, values);
    } catch (RedisNoScriptException e) {
      String loaded = redis.scriptLoad(source(script));
      shas.put(script, loaded);
      return redis.evalsha(loaded, type, keys, values);
    }
  }

  private String source(String script) {
    return sources.computeIfAbsent(script, s -> {
      try (InputStream in = Scripts.class.getResourceAsStream(s)) {
        if (in == null) {
          throw new IllegalStateException("the script " + s + " is missing from the runline-redis jar");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
