package dev.runline.compute;

import java.util.Objects;

/**
 * A dense matrix of float32 values, stored row-major in one array. A vector is a matrix
 * of one row. {@link #data()} is the backing array itself, not a copy, so that kernels
 * (and native code) read it without copying: whoever did not create a matrix must not
 * modify it.
 */
public final class Matrix {
  /** The most elements one matrix may hold: the largest Java array. */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private final int rows;
  private final int cols;
  private final float[] data;

  private Matrix(int rows, int cols, float[] data) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /**
   * Wraps {@code data} (row-major, {@code rows × cols} values) without copying it.
   *
   * @throws IllegalArgumentException when a dimension is negative or the array's length is
   *     not {@code rows × cols}
   */
  public static Matrix of(int rows, int cols, float[] data) {
    Objects.requireNonNull(data, "data");
    long size = checkedSize(rows, cols);
    if (data.length != size) {
      throw new IllegalArgumentException("a " + rows + " × " + cols + " matrix needs " + size
          + " values, got " + data.length);
    }
    return new Matrix(rows, cols, data);
  }

  /** A {@code rows × cols} matrix of zeros. */
  public static Matrix zeros(int rows, int cols) {
    return new Matrix(rows, cols, new float[(int) checkedSize(rows, cols)]);
  }

  /** A matrix of one row. */
  public static Matrix vector(float... values) {
    return new Matrix(1, values.length, values);
  }

  private static long checkedSize(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("a matrix's dimensions must not be negative, were " + rows + " × " + cols);
    }
    long size = (long) rows * cols;
    if (size > MAX_ELEMENTS) {
      throw new IllegalArgumentException("a " + rows + " × " + cols + " matrix has more than "
          + MAX_ELEMENTS + " values");
    }
    return size;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The value at ({@code row}, {@code col}). */
  public float get(int row, int col) {
    Objects.checkIndex(row, rows);
    Objects.checkIndex(col, cols);
    return data[row * cols + col];
  }

  /** The backing array, row-major: element (r, c) is at {@code r * cols() + c}. Not a copy. */
  public float[] data() {
    return data;
  }

  /** A copy of one row. */
  public float[] row(int row) {
    Objects.checkIndex(row, rows);
    float[] copy = new float[cols];
    System.arraycopy(data, row * cols, copy, 0, cols);
    return copy;
  }

  /**
   * A new matrix whose rows are this one's scaled to unit length, for cosine similarity.
   * The norm is computed in double and each value divided by it, then rounded to float32;
   * a row of zeros stays zeros.
   */
  public Matrix normalizedRows() {
    float[] out = new float[data.length];
    for (int r = 0; r < rows; r++) {
      normalizeRow(data, out, r * cols, cols);
    }
    return new Matrix(rows, cols, out);
  }

  static void normalizeRow(float[] in, float[] out, int offset, int length) {
    double sum = 0;
    for (int j = 0; j < length; j++) {
      double v = in[offset + j];
      sum += v * v;
    }
    double norm = Math.sqrt(sum);
    for (int j = 0; j < length; j++) {
      out[offset + j] = norm == 0 ? 0f : (float) (in[offset + j] / norm);
    }
  }

  @Override
  public String toString() {
    return "Matrix[" + rows + " × " + cols + "]";
  }
}
