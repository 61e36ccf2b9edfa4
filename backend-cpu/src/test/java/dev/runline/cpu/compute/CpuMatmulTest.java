package dev.runline.cpu.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.compute.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CPU matmul equals the triple loop within float rounding, on every shape. */
class CpuMatmulTest {
  private static final ComputePool POOL = new ComputePool(4);

  static Matrix random(int rows, int cols, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return Matrix.of(rows, cols, data);
  }

  @ParameterizedTest(name = "{0}×{1} by {1}×{2}")
  @CsvSource({
      "1, 1, 1",
      "1, 7, 1",
      "3, 1, 5",
      "1, 300, 700",     // a row vector, wider than a column block
      "700, 300, 1",     // a column vector, taller than a row block
      "33, 129, 513",    // one past every block size
      "64, 64, 64",
      "97, 211, 53",
      "256, 256, 256",   // split over the pool
      "200, 1000, 30",   // deep: many depth blocks
  })
  void itEqualsTheTripleLoop(int m, int k, int n) throws Exception {
    Matrix a = random(m, k, m * 7919L + k);
    Matrix b = random(k, n, n * 104729L + k);

    Matrix c = new CpuMatmul(POOL).multiply(a, b);

    assertThat(c.rows()).isEqualTo(m);
    assertThat(c.cols()).isEqualTo(n);
    double[] expected = ReferenceKernels.multiply(a, b);
    double[] scale = ReferenceKernels.magnitude(a, b);
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs(c.data()[i] - expected[i]);
      assertThat(error).as("c[%d][%d]", i / n, i % n).isLessThanOrEqualTo(1e-4 * Math.max(scale[i], Float.MIN_NORMAL));
    }
  }

  @Test
  void itEqualsAFloatIkjLoopBitForBit() throws Exception {
    Matrix a = random(70, 300, 1);
    Matrix b = random(300, 600, 2);
    float[] expected = new float[70 * 600];
    for (int i = 0; i < 70; i++) {
      for (int p = 0; p < 300; p++) {
        float aip = a.get(i, p);
        for (int j = 0; j < 600; j++) {
          expected[i * 600 + j] += aip * b.get(p, j);
        }
      }
    }

    assertThat(new CpuMatmul(POOL).multiply(a, b).data()).containsExactly(expected);
  }

  @Test
  void integersMultiplyExactly() throws Exception {
    Matrix a = Matrix.of(2, 3, new float[] {1, 2, 3, 4, 5, 6});
    Matrix b = Matrix.of(3, 2, new float[] {7, 8, 9, 10, 11, 12});

    assertThat(new CpuMatmul(POOL).multiply(a, b).data()).containsExactly(58, 64, 139, 154);
  }

  @Test
  void mismatchedShapesAreRefused() {
    assertThatThrownBy(() -> new CpuMatmul(POOL).multiply(Matrix.zeros(2, 3), Matrix.zeros(2, 3)))
        .hasMessageContaining("a's columns must equal b's rows");
  }
}
