package dev.runline.compute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.spi.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a kernel's fields out of a job's input as Jackson produces it (maps, lists,
 * numbers, strings, or a {@link JsonNode} tree) or as a Java caller builds it (also
 * {@code float[]} and {@code float[][]}). Every refusal is a {@link KernelInputException}
 * whose message opens with the field's path.
 */
final class Inputs {

  private Inputs() {}

  /** The input as a map of fields, refusing anything else and any field not in {@code fields}. */
  static Map<?, ?> object(Object input, String kernel, List<String> fields, String example) {
    if (input instanceof JsonNode node) {
      input = Json.mapper().convertValue(node, Object.class);
    }
    if (!(input instanceof Map<?, ?> map)) {
      throw new KernelInputException("input", "input of " + kernel + " must be an object like " + example
          + ", was " + kind(input));
    }
    for (Object key : map.keySet()) {
      if (!fields.contains(String.valueOf(key))) {
        throw new KernelInputException("input." + key, "input." + key + " is not a field of " + kernel
            + "; its fields are " + String.join(", ", fields));
      }
    }
    return map;
  }

  /** Whether the output is asked as f32le: {@code "output": "f32le"}; default (absent or {@code "json"}) is JSON numbers. */
  static boolean f32leOutput(Map<?, ?> input) {
    Object value = input.get("output");
    if (value == null || "json".equals(value)) {
      return false;
    }
    if (F32le.DATA.equals(value)) {
      return true;
    }
    throw new KernelInputException("input.output", "input.output must be \"json\" (the default) or \"f32le\", was "
        + describe(value));
  }

  /** A whole number from {@code min} to {@code max}; {@code limit} says where {@code max} comes from. */
  static int whole(Object value, String field, int min, int max, String limit) {
    return (int) wholeLong(value, field, min, max, limit);
  }

  /**
   * A whole number from {@code min} to {@code max}, as JSON and YAML readers give them
   * (integer types, {@link BigInteger}, or a floating-point value without a fraction).
   */
  static long wholeLong(Object value, String field, long min, long max, String limit) {
    String range = (min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "a whole number" : "a whole number from " + min
        + " to " + max) + (limit == null ? "" : " (" + limit + ")");
    long whole;
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      whole = ((Number) value).longValue();
    } else if (value instanceof BigInteger big) {
      whole = big.bitLength() < 63 ? big.longValue() : Long.MAX_VALUE;
    } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d)) {
        throw new KernelInputException(field, field + " must be " + range + ", was " + describe(value));
      }
      whole = d >= Long.MAX_VALUE ? Long.MAX_VALUE : d <= Long.MIN_VALUE ? Long.MIN_VALUE : (long) d;
    } else {
      throw new KernelInputException(field, field + " must be " + range + ", was " + describe(value));
    }
    if (whole < min || whole > max) {
      throw new KernelInputException(field, field + " must be " + range + ", was " + describe(value));
    }
    return whole;
  }

  /** One float32 value: a finite number within float32's range. */
  static float number(Object value, String field) {
    if (!(value instanceof Number n)) {
      throw new KernelInputException(field, field + " must be a number, was " + kind(value));
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new KernelInputException(field, field + " is " + d + "; every number must be finite");
    }
    float f = (float) d;
    if (Float.isInfinite(f)) {
      throw new KernelInputException(field, field + " is " + n + ", beyond the float32 range (±3.4e38)");
    }
    return f;
  }

  /** What a matrix field must look like, for {@link #matrix}. */
  static final class Shape {
    final String field;
    final String rowNoun;
    int minRows = 1;
    int maxRows = Integer.MAX_VALUE;
    String maxRowsSetting;
    int cols = -1;
    String colsReason;
    int maxCols = Integer.MAX_VALUE;
    String maxColsSetting;

    /** {@code rowNoun} says what a row is in messages: "rows", "queries". */
    Shape(String field, String rowNoun) {
      this.field = field;
      this.rowNoun = rowNoun;
    }

    Shape rows(int min, int max, String setting) {
      this.minRows = min;
      this.maxRows = max;
      this.maxRowsSetting = setting;
      return this;
    }

    /** Every row must have exactly {@code cols} numbers, because {@code reason}. */
    Shape cols(int cols, String reason) {
      this.cols = cols;
      this.colsReason = reason;
      return this;
    }

    Shape maxCols(int max, String setting) {
      this.maxCols = max;
      this.maxColsSetting = setting;
      return this;
    }

    void checkRows(int rows, String where) {
      if (rows < minRows) {
        throw new KernelInputException(where, minRows == 1 && rows == 0
            ? where + " is empty; it needs at least one row"
            : where + " has " + rows + " " + rowNoun + "; it needs at least " + minRows);
      }
      if (rows > maxRows) {
        throw new KernelInputException(where, where + " has " + rows + " " + rowNoun + "; this endpoint takes at most "
            + maxRows + (maxRowsSetting == null ? "" : " (" + maxRowsSetting + ")"));
      }
    }

    void checkCols(int n, String where) {
      if (cols >= 0 && n != cols) {
        throw new KernelInputException(where, where + " has " + n + " numbers; " + colsReason);
      }
      if (n < 1) {
        throw new KernelInputException(where, where + " has no numbers; a row needs at least one");
      }
      if (n > maxCols) {
        throw new KernelInputException(where, where + " has " + n + " numbers; this endpoint takes at most "
            + maxCols + (maxColsSetting == null ? "" : " (" + maxColsSetting + ")"));
      }
    }
  }

  /**
   * A matrix: a list of rows (each a list of numbers or a {@code float[]}), a {@code float[][]},
   * or {@code {"shape": [rows, cols], "f32le": "..."}}.
   */
  static Matrix matrix(Object value, Shape shape) {
    String field = shape.field;
    if (value instanceof JsonNode node) {
      value = Json.mapper().convertValue(node, Object.class);
    }
    if (value instanceof Map<?, ?> map) {
      return f32leMatrix(map, shape, false);
    }
    int rows;
    if (value instanceof List<?> list) {
      rows = list.size();
    } else if (value instanceof float[][] array) {
      rows = array.length;
    } else {
      throw new KernelInputException(field, field + " must be a list of " + shape.rowNoun
          + " (each a list of numbers) or {\"shape\": [rows, columns], \"f32le\": \"<base64>\"}, was " + kind(value));
    }
    shape.checkRows(rows, field);
    if (rows == 0) {
      return Matrix.zeros(0, Math.max(shape.cols, 0));
    }
    int cols = -1;
    for (int r = 0; r < rows; r++) {
      Object row = rowOf(value, r);
      String where = field + "[" + r + "]";
      int n;
      if (row instanceof List<?> numbers) {
        n = numbers.size();
      } else if (row instanceof float[] numbers) {
        n = numbers.length;
      } else {
        throw new KernelInputException(where, where + " must be a list of numbers, was " + kind(row));
      }
      if (r == 0) {
        shape.checkCols(n, where);
        cols = n;
      } else if (n != cols) {
        throw new KernelInputException(where, shape.cols >= 0
            ? where + " has " + n + " numbers; " + shape.colsReason
            : where + " has " + n + " numbers; " + field + "[0] has " + cols + " and every row needs as many");
      }
    }
    if ((long) rows * cols > Matrix.MAX_ELEMENTS) {
      throw new KernelInputException(field, field + " has more than " + Matrix.MAX_ELEMENTS + " numbers");
    }
    float[] data = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      Object row = rowOf(value, r);
      int offset = r * cols;
      if (row instanceof float[] numbers) {
        for (int c = 0; c < cols; c++) {
          data[offset + c] = number(numbers[c], field + "[" + r + "][" + c + "]");
        }
      } else {
        List<?> numbers = (List<?>) row;
        for (int c = 0; c < cols; c++) {
          data[offset + c] = number(numbers.get(c), field + "[" + r + "][" + c + "]");
        }
      }
    }
    return Matrix.of(rows, cols, data);
  }

  private static Object rowOf(Object matrix, int r) {
    return matrix instanceof List<?> list ? list.get(r) : ((float[][]) matrix)[r];
  }

  /**
   * A vector as a matrix of one row: a list of numbers, a {@code float[]}, or
   * {@code {"shape": [n] or [1, n], "f32le": "..."}}.
   */
  static Matrix vector(Object value, Shape shape) {
    String field = shape.field;
    if (value instanceof JsonNode node) {
      value = Json.mapper().convertValue(node, Object.class);
    }
    if (value instanceof Map<?, ?> map) {
      return f32leMatrix(map, shape, true);
    }
    if (value instanceof float[] array) {
      value = new FloatList(array, 0, array.length);
    }
    if (!(value instanceof List<?> numbers)) {
      throw new KernelInputException(field, field + " must be a list of numbers or {\"shape\": [n], \"f32le\": \"<base64>\"}, was "
          + kind(value));
    }
    shape.checkCols(numbers.size(), field);
    float[] data = new float[numbers.size()];
    for (int c = 0; c < data.length; c++) {
      data[c] = number(numbers.get(c), field + "[" + c + "]");
    }
    return Matrix.vector(data);
  }

  /** {@code {"shape": [...], "f32le": "..."}}: checked against {@code shape} before any decoding. */
  private static Matrix f32leMatrix(Map<?, ?> map, Shape shape, boolean vector) {
    String field = shape.field;
    for (Object key : map.keySet()) {
      if (!F32le.SHAPE.equals(key) && !F32le.DATA.equals(key)) {
        throw new KernelInputException(field + "." + key, field + "." + key + " is not a field of an f32le array; "
            + "its fields are shape, f32le");
      }
    }
    String shapeField = field + "." + F32le.SHAPE;
    String expected = vector ? "[n] or [1, n]" : "[rows, columns]";
    Object dims = map.get(F32le.SHAPE);
    if (!(dims instanceof List<?> list) || list.isEmpty() || list.size() > 2 || !vector && list.size() != 2) {
      throw new KernelInputException(shapeField, shapeField + " must be a list " + expected + ", was " + describe(dims));
    }
    int rows;
    int cols;
    if (list.size() == 1) {
      rows = 1;
      cols = whole(list.get(0), shapeField + "[0]", 0, Integer.MAX_VALUE, null);
    } else {
      rows = whole(list.get(0), shapeField + "[0]", vector ? 1 : 0, vector ? 1 : Integer.MAX_VALUE, null);
      cols = whole(list.get(1), shapeField + "[1]", 0, Integer.MAX_VALUE, null);
    }
    shape.checkRows(rows, field);
    String colsField = shapeField + "[" + (list.size() - 1) + "]";
    if (shape.cols >= 0 && cols != shape.cols) {
      throw new KernelInputException(shapeField, shapeField + " says " + cols + " numbers per "
          + (vector ? "vector" : "row") + "; " + shape.colsReason);
    }
    if (cols < 1 && rows > 0) {
      throw new KernelInputException(colsField, colsField + " is 0; a row needs at least one number");
    }
    if (cols > shape.maxCols) {
      throw new KernelInputException(colsField, colsField + " is " + cols + "; this endpoint takes at most "
          + shape.maxCols + " columns" + (shape.maxColsSetting == null ? "" : " (" + shape.maxColsSetting + ")"));
    }
    if ((long) rows * cols > Matrix.MAX_ELEMENTS) {
      throw new KernelInputException(shapeField, shapeField + " has more than " + Matrix.MAX_ELEMENTS + " numbers");
    }
    String dataField = field + "." + F32le.DATA;
    Object text = map.get(F32le.DATA);
    if (!(text instanceof String base64)) {
      throw new KernelInputException(dataField, dataField + " must be a string of base64 (little-endian float32), was "
          + kind(text));
    }
    float[] data = F32le.decode(base64, rows * cols, dataField);
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new KernelInputException(dataField, dataField + "[" + i + "] (row " + i / cols + ", column " + i % cols
            + ") is " + data[i] + "; every number must be finite");
      }
    }
    return Matrix.of(rows, cols, data);
  }

  /** Refuses a row of zeros, whose cosine similarity is undefined. */
  static void nonZeroRows(Matrix m, String field, boolean single) {
    float[] data = m.data();
    int cols = m.cols();
    for (int r = 0; r < m.rows(); r++) {
      boolean zero = true;
      for (int j = r * cols, end = j + cols; j < end && zero; j++) {
        zero = data[j] == 0f;
      }
      if (zero) {
        String where = single ? field : field + "[" + r + "]";
        throw new KernelInputException(where, where + " is all zeros; cosine similarity needs a non-zero vector");
      }
    }
  }

  /** The value as a message quotes it. */
  static String describe(Object value) {
    if (value instanceof String s) {
      return "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    if (value instanceof List<?> list && list.size() <= 4
        && list.stream().allMatch(e -> e instanceof Number || e instanceof Boolean || e == null)) {
      return list.toString();
    }
    return kind(value);
  }

  /** The value's kind, for messages. */
  static String kind(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof List<?> || value instanceof Set<?> || value.getClass().isArray()) {
      return "a list";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
