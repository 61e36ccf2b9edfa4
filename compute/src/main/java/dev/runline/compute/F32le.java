package dev.runline.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact form of a large array in a job's input or output:
 * {@code {"shape": [rows, cols], "f32le": "<base64 of little-endian float32, row-major>"}}
 * (a vector has {@code "shape": [n]}). It is about a third the size of the same numbers
 * written as JSON text and is parsed without a number parser.
 */
public final class F32le {
  /** The key of the base64 text. */
  public static final String DATA = "f32le";
  /** The key of the shape. */
  public static final String SHAPE = "shape";

  private F32le() {}

  /** {@code {"shape": [rows, cols], "f32le": ...}} for a matrix. */
  public static Map<String, Object> encode(Matrix matrix) {
    return encode(List.of(matrix.rows(), matrix.cols()), matrix.data(), 0, matrix.data().length);
  }

  /** {@code {"shape": [n], "f32le": ...}} for a vector. */
  public static Map<String, Object> encode(float[] vector) {
    return encode(List.of(vector.length), vector, 0, vector.length);
  }

  static Map<String, Object> encode(List<Integer> shape, float[] values, int offset, int length) {
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values, offset, length);
    Map<String, Object> out = new LinkedHashMap<>(4);
    out.put(SHAPE, shape);
    out.put(DATA, Base64.getEncoder().encodeToString(bytes.array()));
    return out;
  }

  /** The values of {@code base64} text of {@code count} little-endian float32 values; {@code field} names it in errors. */
  static float[] decode(String base64, int count, String field) {
    long expectedBytes = (long) count * Float.BYTES;
    // Checked before decoding, so a wrong size never costs an allocation of its size.
    long decodedBytes = decodedLength(base64);
    if (decodedBytes != expectedBytes) {
      throw new KernelInputException(field, field + " holds " + (decodedBytes < 0 ? "a malformed" : decodedBytes
          + " bytes of") + " base64; the shape needs " + expectedBytes + " (" + count + " float32 values of 4 bytes)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new KernelInputException(field, field + " is not valid base64: " + e.getMessage());
    }
    float[] values = new float[count];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  /** The length base64 text decodes to, or -1 when its length cannot be base64. */
  private static long decodedLength(String base64) {
    int length = base64.length();
    if (length % 4 != 0) {
      return -1;
    }
    int padding = 0;
    if (length > 0 && base64.charAt(length - 1) == '=') {
      padding++;
      if (base64.charAt(length - 2) == '=') {
        padding++;
      }
    }
    return (long) length / 4 * 3 - padding;
  }
}
