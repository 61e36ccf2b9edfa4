package dev.runline.cpu.compute;

import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorIndex;
import dev.runline.compute.VectorSearchKernel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Vector search on the CPU: exact top-k by cosine similarity over an index held in one
 * float array.
 *
 * <p>The work is a grid of tasks, blocks of {@value #QUERY_BLOCK} queries × chunks of
 * index rows, spread over the {@link ComputePool}: many queries split by query block (each
 * task scans the whole index), few queries split the index rows as well, so every thread
 * has work. Within a task the rows are taken a tile at a time (about 64 KiB, so it stays in
 * the core's cache while every query of the block is scored against it), and four queries
 * are scored per pass over a row, which keeps four independent sums in flight. Each task
 * keeps, per query, a bounded heap of its best {@code k}; the heaps of a query's row
 * chunks are then merged.
 *
 * <p>A score is the sum over {@code j} of {@code (double) q[j] * (double) x[j]} in index
 * order, rounded to float, exactly as a plain loop computes it, so the results equal the
 * reference loops' bit for bit. Results are ordered by a 64-bit key, the score's
 * order-preserving bits (descending) then the id (ascending), which makes equal scores
 * come out by the smaller id wherever they were found.
 */
public final class CpuVectorSearch implements VectorSearchKernel {
  static final int QUERY_BLOCK = 8;
  private static final int TILE_FLOATS = 16 * 1024;
  private static final int MIN_CHUNK_ROWS = 4096;

  private final float[] index;
  private final int n;
  private final int d;
  private final ComputePool pool;

  /** A search over {@code index}'s normalized vectors, computed on {@code pool}. */
  public CpuVectorSearch(VectorIndex index, ComputePool pool) {
    Matrix vectors = index.vectors();
    this.index = vectors.data();
    this.n = vectors.rows();
    this.d = vectors.cols();
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public int dimension() {
    return d;
  }

  @Override
  public TopK search(Matrix queries, int k) throws InterruptedException {
    if (queries.cols() != d) {
      throw new IllegalArgumentException("queries have " + queries.cols() + " columns; the index has dimension " + d);
    }
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("k must be from 1 to " + n + ", was " + k);
    }
    int q = queries.rows();
    float[] source = queries.data();
    double[] qd = new double[source.length];
    for (int i = 0; i < qd.length; i++) {
      qd[i] = source[i];
    }
    int queryBlocks = (q + QUERY_BLOCK - 1) / QUERY_BLOCK;
    int wanted = pool.parallelism() * 2;
    int chunks = Math.max(1, Math.min((wanted + queryBlocks - 1) / queryBlocks, n / MIN_CHUNK_ROWS));
    int chunkRows = (n + chunks - 1) / chunks;
    int rowChunks = (n + chunkRows - 1) / chunkRows;
    long[][] partial = new long[q * rowChunks][];
    pool.run(queryBlocks * rowChunks, (runner, task) -> {
      int block = task / rowChunks;
      int chunk = task % rowChunks;
      int q0 = block * QUERY_BLOCK;
      int q1 = Math.min(q, q0 + QUERY_BLOCK);
      int r0 = chunk * chunkRows;
      int r1 = Math.min(n, r0 + chunkRows);
      Heap[] heaps = new Heap[q1 - q0];
      for (int i = 0; i < heaps.length; i++) {
        heaps[i] = new Heap(k);
      }
      scan(qd, q0, q1, r0, r1, heaps);
      for (int i = 0; i < heaps.length; i++) {
        partial[(q0 + i) * rowChunks + chunk] = heaps[i].sorted();
      }
    });
    int[][] ids = new int[q][];
    float[][] scores = new float[q][];
    for (int i = 0; i < q; i++) {
      long[] best = merge(partial, i * rowChunks, rowChunks, k);
      ids[i] = new int[k];
      scores[i] = new float[k];
      for (int r = 0; r < k; r++) {
        ids[i][r] = idOf(best[r]);
        scores[i][r] = scoreOf(best[r]);
      }
    }
    return new TopK(ids, scores);
  }

  /** Scores queries {@code q0 .. q1-1} against rows {@code r0 .. r1-1}, a tile of rows at a time. */
  private void scan(double[] qd, int q0, int q1, int r0, int r1, Heap[] heaps) {
    int tileRows = Math.max(1, TILE_FLOATS / d);
    for (int t0 = r0; t0 < r1; t0 += tileRows) {
      int t1 = Math.min(r1, t0 + tileRows);
      int qi = q0;
      for (; qi + 4 <= q1; qi += 4) {
        score4(qd, qi, t0, t1, heaps[qi - q0], heaps[qi - q0 + 1], heaps[qi - q0 + 2], heaps[qi - q0 + 3]);
      }
      for (; qi < q1; qi++) {
        score1(qd, qi, t0, t1, heaps[qi - q0]);
      }
    }
  }

  private void score4(double[] qd, int qi, int t0, int t1, Heap h0, Heap h1, Heap h2, Heap h3) {
    int a = qi * d;
    int b = a + d;
    int c = b + d;
    int e = c + d;
    float[] x = index;
    for (int r = t0; r < t1; r++) {
      int row = r * d;
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      for (int j = 0; j < d; j++) {
        double v = x[row + j];
        s0 += qd[a + j] * v;
        s1 += qd[b + j] * v;
        s2 += qd[c + j] * v;
        s3 += qd[e + j] * v;
      }
      h0.offer((float) s0, r);
      h1.offer((float) s1, r);
      h2.offer((float) s2, r);
      h3.offer((float) s3, r);
    }
  }

  private void score1(double[] qd, int qi, int t0, int t1, Heap h) {
    int a = qi * d;
    float[] x = index;
    for (int r = t0; r < t1; r++) {
      int row = r * d;
      double s = 0;
      for (int j = 0; j < d; j++) {
        s += qd[a + j] * x[row + j];
      }
      h.offer((float) s, r);
    }
  }

  /** The best {@code k} keys of a query's row chunks, each already sorted. */
  private static long[] merge(long[][] partial, int from, int count, int k) {
    if (count == 1) {
      return partial[from];
    }
    int total = 0;
    for (int c = 0; c < count; c++) {
      total += partial[from + c].length;
    }
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < count; c++) {
      long[] part = partial[from + c];
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    Arrays.sort(all);
    return all.length == k ? all : Arrays.copyOf(all, k);
  }

  /**
   * A key whose ascending order is the result order: score descending, then id ascending.
   * The score's bits are mapped to an int of the same order as the float ({@code -0} and
   * {@code +0} made equal first), then inverted.
   */
  static long key(float score, int id) {
    int bits = Float.floatToRawIntBits(score + 0.0f);
    int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
    return (long) ~ordered << 32 | (id & 0xffffffffL);
  }

  static int idOf(long key) {
    return (int) key;
  }

  static float scoreOf(long key) {
    int ordered = ~(int) (key >>> 32);
    return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7fffffff));
  }

  /** The best {@code k} (score, id) pairs offered so far: a max-heap of keys, the worst on top. */
  static final class Heap {
    private final long[] keys;
    private int size;
    private float worst = Float.NEGATIVE_INFINITY;

    Heap(int k) {
      keys = new long[k];
    }

    void offer(float score, int id) {
      if (score < worst) {
        return;
      }
      long key = key(score, id);
      if (size < keys.length) {
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (keys[parent] >= key) {
            break;
          }
          keys[i] = keys[parent];
          i = parent;
        }
        keys[i] = key;
        if (size == keys.length) {
          worst = scoreOf(keys[0]);
        }
        return;
      }
      if (key >= keys[0]) {
        return;
      }
      int i = 0;
      int half = size >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < size && keys[child + 1] > keys[child]) {
          child++;
        }
        if (keys[child] <= key) {
          break;
        }
        keys[i] = keys[child];
        i = child;
      }
      keys[i] = key;
      worst = scoreOf(keys[0]);
    }

    /** The keys held, best first. */
    long[] sorted() {
      long[] out = Arrays.copyOf(keys, size);
      Arrays.sort(out);
      return out;
    }
  }

  @Override
  public String toString() {
    return "CpuVectorSearch[" + n + " × " + d + " on " + pool + "]";
  }
}
