package dev.runline.cpu.compute;

import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import java.util.Arrays;
import java.util.Comparator;

/** The kernels' semantics as plain loops: what the CPU kernels must equal. */
final class ReferenceKernels {
  private ReferenceKernels() {}

  /** Scores every row, sorts all of them (score descending, then id ascending), keeps k. */
  static TopK search(Matrix index, Matrix queries, int k) {
    int n = index.rows();
    int d = index.cols();
    int keep = Math.min(k, n);
    int[][] ids = new int[queries.rows()][keep];
    float[][] scores = new float[queries.rows()][keep];
    for (int q = 0; q < queries.rows(); q++) {
      float[] score = new float[n];
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < d; j++) {
          sum += (double) queries.get(q, j) * (double) index.get(i, j);
        }
        score[i] = (float) sum;
        order[i] = i;
      }
      Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> i));
      for (int r = 0; r < keep; r++) {
        ids[q][r] = order[r];
        scores[q][r] = score[order[r]];
      }
    }
    return new TopK(ids, scores);
  }

  /** The textbook triple loop, summing in double. */
  static double[] multiply(Matrix a, Matrix b) {
    int m = a.rows();
    int k = a.cols();
    int n = b.cols();
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += (double) a.get(i, p) * b.get(p, j);
        }
        c[i * n + j] = sum;
      }
    }
    return c;
  }

  /** Each element's bound on rounding error's scale: the sum of |a[i][p] × b[p][j]|. */
  static double[] magnitude(Matrix a, Matrix b) {
    int m = a.rows();
    int k = a.cols();
    int n = b.cols();
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += Math.abs((double) a.get(i, p) * b.get(p, j));
        }
        c[i * n + j] = sum;
      }
    }
    return c;
  }
}
