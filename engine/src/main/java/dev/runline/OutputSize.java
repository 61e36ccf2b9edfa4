package dev.runline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.spi.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Map;

/**
 * How many bytes an output would take as JSON, counted only up to a limit: the common shapes
 * (strings, numbers, maps, lists, arrays, Jackson trees) by a walk that stops as soon as the
 * limit is passed, anything else by writing it with Jackson into a counter that gives up at
 * the limit. A small output costs a few steps; an enormous one costs at most the limit.
 */
final class OutputSize {
  private OutputSize() {}

  /** Whether {@code output}, as JSON, takes more than {@code limit} bytes. */
  static boolean exceeds(Object output, long limit) {
    return limit != Long.MAX_VALUE && measure(output, limit, 0) > limit;
  }

  /** Nesting deeper than this is not walked: no JSON writer accepts it, and the walk must not overflow the stack. */
  private static final int MAX_DEPTH = 512;

  private static long measure(Object value, long limit, int depth) {
    if (depth > MAX_DEPTH) {
      return 0;
    }
    if (value == null || value instanceof Boolean) {
      return 5;
    }
    if (value instanceof CharSequence text) {
      return text.length() + 2L;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long n = ((Number) value).longValue();
      int digits = n < 0 ? 2 : 1;
      for (long rest = Math.abs(n / 10); rest != 0; rest /= 10) {
        digits++;
      }
      return digits;
    }
    if (value instanceof Number) {
      return 24;
    }
    if (value instanceof byte[] bytes) {
      return bytes.length * 4L / 3 + 4;
    }
    if (value instanceof float[] floats) {
      return floats.length * 12L + 2;
    }
    if (value instanceof double[] doubles) {
      return doubles.length * 24L + 2;
    }
    if (value instanceof int[] ints) {
      return ints.length * 12L + 2;
    }
    long size = 2;
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        size += measure(String.valueOf(entry.getKey()), limit, depth + 1) + 1 + measure(entry.getValue(), limit, depth + 1) + 1;
        if (size > limit) {
          return size;
        }
      }
      return size;
    }
    if (value instanceof Collection<?> items) {
      for (Object item : items) {
        size += measure(item, limit, depth + 1) + 1;
        if (size > limit) {
          return size;
        }
      }
      return size;
    }
    if (value instanceof Object[] items) {
      for (Object item : items) {
        size += measure(item, limit, depth + 1) + 1;
        if (size > limit) {
          return size;
        }
      }
      return size;
    }
    if (value instanceof JsonNode node && node.isValueNode()) {
      return node.isTextual() ? node.textValue().length() + 2L : 24;
    }
    return written(value, limit);
  }

  /** Writes {@code value} with Jackson, counting bytes, and stops once past {@code limit}. */
  private static long written(Object value, long limit) {
    Counter counter = new Counter(limit);
    try {
      Json.mapper().writeValue(counter, value);
    } catch (Counter.Passed passed) {
      return counter.count;
    } catch (IOException | RuntimeException e) {
      // Not writable as JSON: the HTTP layer will say so; in process it is the caller's value.
      return 0;
    }
    return counter.count;
  }

  private static final class Counter extends OutputStream {
    private final long limit;
    long count;

    Counter(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      add(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      add(len);
    }

    private void add(long n) throws Passed {
      count += n;
      if (count > limit) {
        throw new Passed();
      }
    }

    static final class Passed extends IOException {
      Passed() {
        super(null, null);
      }
    }
  }
}
