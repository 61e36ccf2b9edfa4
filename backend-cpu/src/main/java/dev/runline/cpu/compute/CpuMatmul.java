package dev.runline.cpu.compute;

import dev.runline.compute.MatmulKernel;
import dev.runline.compute.Matrix;
import java.util.Objects;

/**
 * Matrix product on the CPU, blocked for the cache and split over the {@link ComputePool}.
 *
 * <p>{@code c} is cut into tiles of {@value #ROW_BLOCK} rows × {@value #COL_BLOCK} columns,
 * one task each. A task walks {@code k} in blocks of {@value #DEPTH_BLOCK}; for each row of
 * its tile and each {@code p} of the block it adds {@code a[i][p] × b[p][j0..j1]} to
 * {@code c[i][j0..j1]} (the i-k-j order: the innermost loop runs along rows of {@code b}
 * and {@code c}, which the JIT vectorizes), so the block of {@code b} (128 × 512 floats,
 * 256 KiB) is reused from the cache by every row of the tile.
 *
 * <p>Sums are float32, accumulated in {@code p} order for every element (the blocks are
 * walked in order), so the result equals a plain i-k-j loop's bit for bit.
 */
public final class CpuMatmul implements MatmulKernel {
  static final int ROW_BLOCK = 32;
  static final int COL_BLOCK = 512;
  static final int DEPTH_BLOCK = 128;
  // Below this many multiply-adds a job runs on the calling thread: handing it over costs more.
  private static final long INLINE_WORK = 1L << 18;

  private final ComputePool pool;

  public CpuMatmul(ComputePool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public Matrix multiply(Matrix a, Matrix b) throws InterruptedException {
    if (a.cols() != b.rows()) {
      throw new IllegalArgumentException("a is " + a.rows() + " × " + a.cols() + ", b " + b.rows() + " × " + b.cols()
          + "; a's columns must equal b's rows");
    }
    int m = a.rows();
    int depth = a.cols();
    int n = b.cols();
    float[] c = new float[Math.multiplyExact(m, n)];
    float[] av = a.data();
    float[] bv = b.data();
    int rowBlocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
    int colBlocks = (n + COL_BLOCK - 1) / COL_BLOCK;
    if ((long) m * n * depth <= INLINE_WORK) {
      tile(av, bv, c, depth, n, 0, m, 0, n);
    } else {
      pool.run(rowBlocks * colBlocks, (runner, task) -> {
        int i0 = task / colBlocks * ROW_BLOCK;
        int j0 = task % colBlocks * COL_BLOCK;
        tile(av, bv, c, depth, n, i0, Math.min(m, i0 + ROW_BLOCK), j0, Math.min(n, j0 + COL_BLOCK));
      });
    }
    return Matrix.of(m, n, c);
  }

  private static void tile(float[] a, float[] b, float[] c, int depth, int n, int i0, int i1, int j0, int j1) {
    for (int p0 = 0; p0 < depth; p0 += DEPTH_BLOCK) {
      int p1 = Math.min(depth, p0 + DEPTH_BLOCK);
      for (int i = i0; i < i1; i++) {
        int ci = i * n;
        int ai = i * depth;
        for (int p = p0; p < p1; p++) {
          float aip = a[ai + p];
          int bp = p * n;
          for (int j = j0; j < j1; j++) {
            c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return "CpuMatmul[" + pool + "]";
  }
}
