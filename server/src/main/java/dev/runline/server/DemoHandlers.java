package dev.runline.server;

import dev.runline.Handler;
import dev.runline.StreamingHandler;
import dev.runline.config.HandlerRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo endpoints' handlers, so the README's and the service's examples have something to
 * call: {@code echo}, {@code tokens} (streaming), {@code sleep} and {@code fail}.
 */
final class DemoHandlers {
  private DemoHandlers() {}

  /** Output = input. */
  static final Handler ECHO = job -> job.input();

  /**
   * Emits the words of {@code input.prompt}, one chunk per word, {@code input.delayMs}
   * apart, each shaped like the service's text-generation example.
   */
  static final StreamingHandler TOKENS = (job, sink) -> {
    Map<?, ?> input = object(job.input());
    String prompt = String.valueOf(input.get("prompt") == null ? "" : input.get("prompt"));
    long delayMs = number(input, "delayMs", 0);
    String[] words = prompt.isBlank() ? new String[0] : prompt.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      if (i > 0 && delayMs > 0) {
        Thread.sleep(delayMs);
      }
      Map<String, Object> chunk = new LinkedHashMap<>();
      chunk.put("text", List.of(words[i]));
      chunk.put("input_tokens", words.length);
      chunk.put("output_tokens", 1);
      if (!sink.emit(chunk)) {
        return;
      }
    }
  };

  /** Waits {@code input.seconds} (default 1), publishing progress; cancellation interrupts the wait. */
  static final Handler SLEEP = job -> {
    Object value = object(job.input()).get("seconds");
    double seconds = value == null ? 1 : value instanceof Number n ? n.doubleValue() : Double.NaN;
    if (!(seconds >= 0 && seconds <= 86_400)) {
      throw new IllegalArgumentException("input.seconds must be a number from 0 to 86400, was " + value);
    }
    long millis = Math.round(seconds * 1000);
    int steps = 10;
    for (int i = 1; i <= steps; i++) {
      Thread.sleep(millis / steps + (i == steps ? millis % steps : 0));
      job.progress(Map.of("percent", i * 100 / steps));
    }
    return Map.of("slept", seconds);
  };

  /** Throws with {@code input.message}. */
  static final Handler FAIL = job -> {
    Object message = object(job.input()).get("message");
    throw new IllegalStateException(message == null ? "this endpoint always fails" : String.valueOf(message));
  };

  static HandlerRegistry.Builder registry() {
    return HandlerRegistry.builder()
        .handler("echo", ECHO)
        .streaming("tokens", TOKENS)
        .handler("sleep", SLEEP)
        .handler("fail", FAIL);
  }

  private static Map<?, ?> object(Object input) {
    return input instanceof Map<?, ?> map ? map : Map.of();
  }

  private static long number(Map<?, ?> input, String key, long fallback) {
    Object value = input.get(key);
    return value instanceof Number n ? n.longValue() : fallback;
  }
}
