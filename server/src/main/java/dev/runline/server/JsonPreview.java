package dev.runline.server;

import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A value as JSON text for a person to read (indented), cut after {@code limit} bytes, with
 * the size of its compact JSON form: the dashboard shows inputs and outputs of any size
 * without sending megabytes to the browser.
 *
 * @param json the indented JSON text, whole or cut at a character boundary
 * @param bytes the size of the value as compact JSON
 * @param truncated whether {@code json} was cut
 */
record JsonPreview(String json, long bytes, boolean truncated) {
  private static final ObjectWriter INDENTED = JobRequests.MAPPER.writerWithDefaultPrettyPrinter();

  static JsonPreview of(Object value, int limit) {
    Kept kept = new Kept(limit);
    Kept compact = new Kept(0);
    try {
      INDENTED.writeValue(kept, value);
      JobRequests.MAPPER.writeValue(compact, value);
    } catch (IOException e) {
      throw new IllegalStateException("a value could not be written as JSON", e);
    }
    return new JsonPreview(kept.text(), compact.count, kept.count > limit);
  }

  /** The compact JSON size of {@code value}. */
  static long sizeOf(Object value) {
    Kept counter = new Kept(0);
    try {
      JobRequests.MAPPER.writeValue(counter, value);
    } catch (IOException e) {
      throw new IllegalStateException("a value could not be written as JSON", e);
    }
    return counter.count;
  }

  /** Keeps the first {@code limit} bytes written and counts them all. */
  private static final class Kept extends OutputStream {
    private final byte[] head;
    private long count;

    Kept(int limit) {
      this.head = new byte[limit];
    }

    @Override
    public void write(int b) {
      if (count < head.length) {
        head[(int) count] = (byte) b;
      }
      count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      if (count < head.length) {
        System.arraycopy(bytes, offset, head, (int) count, (int) Math.min(length, head.length - count));
      }
      count += length;
    }

    /** The kept bytes as text, without a character cut in the middle of its UTF-8 bytes. */
    String text() {
      int end = (int) Math.min(count, head.length);
      if (count > head.length) {
        while (end > 0 && (head[end - 1] & 0xC0) == 0x80) {
          end--;
        }
        if (end > 0 && (head[end - 1] & 0x80) != 0) {
          end--;
        }
      }
      return new String(Arrays.copyOf(head, end), StandardCharsets.UTF_8);
    }
  }
}
