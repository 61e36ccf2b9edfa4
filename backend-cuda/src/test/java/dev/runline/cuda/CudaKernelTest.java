package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels on a real GPU against plain Java loops. Skipped where no usable GPU is
 * found; with {@code -Drunline.cuda.required=true} (as gpu-check.sh runs it) a missing GPU
 * fails instead, so a GPU host cannot pass by skipping.
 *
 * <p>Most inputs are small integers, so every dot product is exact in float whatever the
 * order of accumulation: ids and scores must then equal the reference exactly, and the
 * many ties must be broken by the smaller id.
 */
class CudaKernelTest {
  private static CudaWorker worker;

  @BeforeAll
  static void openWorker() {
    if (Boolean.getBoolean("runline.cuda.required") && !CudaNative.isAvailable()) {
      fail("runline.cuda.required is set but no usable CUDA GPU was found: "
          + CudaNative.unavailabilityCause().getMessage(), CudaNative.unavailabilityCause());
    }
    if (CudaNative.isAvailable()) {
      worker = CudaWorker.open(0);
    }
  }

  /** Per test, so that each is reported skipped with the reason. */
  @BeforeEach
  void requireGpu() {
    assumeTrue(CudaNative.isAvailable(), () -> "no usable CUDA GPU: " + CudaNative.unavailabilityCause().getMessage());
  }

  @AfterAll
  static void closeWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  @ParameterizedTest(name = "{0} queries")
  @ValueSource(ints = {1, 7, 256})
  void batchOfQueriesMatchesPlainLoopsExactly(int q) {
    SplittableRandom random = new SplittableRandom(q);
    int n = 5000;
    int d = 64;
    float[] rows = smallIntegers(random, n * d, 3);
    float[] queries = smallIntegers(random, q * d, 3);

    try (DeviceIndex index = worker.uploadIndex(rows, n, d)) {
      assertSearchExact(index, rows, queries, q, 10);
    }
  }

  @ParameterizedTest(name = "n={0}, d={1}, k={2}")
  @CsvSource({
      "5, 3, 20",          // k > N: all N rows
      "1, 1, 1",
      "300, 1, 17",        // D = 1: five distinct scores, ties everywhere
      "4096, 8, 1024",     // the largest k
      "1024, 4, 1024",     // k = N = the largest k
      "130, 16, 130",      // N not a multiple of the tile
  })
  void edgeShapesMatchPlainLoopsExactly(int n, int d, int k) {
    SplittableRandom random = new SplittableRandom(n * 31L + d);
    float[] rows = smallIntegers(random, n * d, 2);
    float[] queries = smallIntegers(random, 7 * d, 2);

    try (DeviceIndex index = worker.uploadIndex(rows, n, d)) {
      assertSearchExact(index, rows, queries, 7, k);
    }
  }

  @Test
  void indexLargerThanOneChunkCarriesWinnersAcrossChunks() {
    // 256 queries take 65,536 columns per chunk: 200,000 rows are four chunks.
    SplittableRandom random = new SplittableRandom(7);
    int n = 200_000;
    int d = 8;
    int q = 256;
    float[] rows = smallIntegers(random, n * d, 3);
    float[] queries = smallIntegers(random, q * d, 3);

    try (DeviceIndex index = worker.uploadIndex(rows, n, d)) {
      assertSearchExact(index, rows, queries, q, 50);
    }
  }

  @Test
  void normalizedVectorsScoreWithinTolerance() {
    SplittableRandom random = new SplittableRandom(11);
    int n = 20_000;
    int d = 128;
    int q = 64;
    int k = 100;
    float[] rows = normalizedRows(random, n, d);
    float[] queries = normalizedRows(random, q, d);
    int[] ids = new int[q * k];
    float[] scores = new float[q * k];

    try (DeviceIndex index = worker.uploadIndex(rows, n, d)) {
      worker.search(index, queries, q, k, ids, scores);
    }

    // Scores may differ from the loops in the last bits, so two nearly equal scores may
    // swap: compare each rank's score, and each returned id's own score.
    for (int query = 0; query < q; query++) {
      float[] expected = topScores(rows, queries, query, n, d, k);
      for (int i = 0; i < k; i++) {
        int id = ids[query * k + i];
        assertThat(scores[query * k + i]).as("query %d rank %d", query, i).isCloseTo(expected[i], within(1e-4f));
        assertThat(scores[query * k + i]).as("query %d id %d", query, id)
            .isCloseTo(dot(queries, query, rows, id, d), within(1e-4f));
      }
    }
  }

  @Test
  void indexWrittenInPartsSearchesLikeOneUpload() {
    SplittableRandom random = new SplittableRandom(3);
    int n = 1000;
    int d = 32;
    float[] rows = smallIntegers(random, n * d, 3);
    float[] queries = smallIntegers(random, 5 * d, 3);

    try (DeviceIndex index = worker.createIndex(n, d)) {
      worker.writeRows(index, 0, Arrays.copyOfRange(rows, 0, 400 * d), 400);
      worker.writeRows(index, 400, Arrays.copyOfRange(rows, 400 * d, n * d), 600);
      assertSearchExact(index, rows, queries, 5, 25);
    }
  }

  @Test
  void buffersGrowForABiggerBatchAndServeSmallerOnes() {
    SplittableRandom random = new SplittableRandom(5);
    int n = 3000;
    int d = 16;
    float[] rows = smallIntegers(random, n * d, 3);

    try (CudaWorker fresh = CudaWorker.open(0); DeviceIndex index = fresh.uploadIndex(rows, n, d)) {
      for (int q : new int[] {1, 300, 2, 1000, 3}) {
        float[] queries = smallIntegers(random, q * d, 3);
        assertSearchExact(fresh, index, rows, queries, q, 9);
      }
    }
  }

  @Test
  void workersOnTwoThreadsShareOneIndex() {
    SplittableRandom random = new SplittableRandom(9);
    int n = 20_000;
    int d = 32;
    float[] rows = smallIntegers(random, n * d, 3);
    float[] queriesA = smallIntegers(random, 64 * d, 3);
    float[] queriesB = smallIntegers(random, 64 * d, 3);

    try (DeviceIndex index = worker.uploadIndex(rows, n, d);
        CudaWorker other = CudaWorker.open(0)) {
      CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 20; i++) {
          assertSearchExact(worker, index, rows, queriesA, 64, 10);
        }
      });
      CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 20; i++) {
          assertSearchExact(other, index, rows, queriesB, 64, 10);
        }
      });
      CompletableFuture.allOf(a, b).join();
    }
  }

  @Test
  void searchRefusesWhatItCannotAnswer() {
    try (DeviceIndex index = worker.uploadIndex(new float[2000 * 2], 2000, 2)) {
      assertThatThrownBy(() -> worker.search(index, new float[2], 1, CudaNative.MAX_K + 1, new int[2000], new float[2000]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k=1025");
      assertThatThrownBy(() -> worker.search(index, new float[2], 2, 5, new int[10], new float[10]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queries has 2 elements, needs 4");
      assertThatThrownBy(() -> worker.search(index, new float[2], 1, 5, new int[4], new float[5]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outIds has 4 elements, needs 5");
    }
  }

  @Test
  void closedIndexAndWorkerFailCleanly() {
    DeviceIndex index = worker.uploadIndex(new float[] {1, 0, 0, 1}, 2, 2);
    index.close();
    index.close();
    assertThatThrownBy(() -> worker.search(index, new float[2], 1, 1, new int[1], new float[1]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

    CudaWorker closed = CudaWorker.open(0);
    closed.close();
    closed.close();
    assertThatThrownBy(() -> closed.matmul(new float[1], 1, 1, new float[1], 1, new float[1]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @ParameterizedTest(name = "{0} x {1} x {2}")
  @CsvSource({"1, 1, 1", "3, 5, 7", "65, 17, 130", "256, 512, 128", "1, 1000, 1", "2, 3, 300"})
  void matmulMatchesPlainLoops(int m, int k, int n) {
    SplittableRandom random = new SplittableRandom(m * 1_000_003L + k * 1009L + n);
    float[] a = gaussians(random, m * k);
    float[] b = gaussians(random, k * n);
    float[] c = new float[m * n];

    worker.matmul(a, m, k, b, n, c);

    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double magnitude = 0;
        for (int p = 0; p < k; p++) {
          double term = (double) a[i * k + p] * b[p * n + j];
          sum += term;
          magnitude += Math.abs(term);
        }
        // Relative to the sum of magnitudes: the bound float accumulation in any order meets.
        assertThat((double) c[i * n + j]).as("c[%d][%d]", i, j).isCloseTo(sum, within(1e-4 * Math.max(1, magnitude)));
      }
    }
  }

  @Test
  void matmulWithEmptyInnerDimensionIsZeros() {
    float[] c = {7, 7, 7, 7, 7, 7};

    worker.matmul(new float[0], 2, 0, new float[0], 3, c);

    assertThat(c).containsOnly(0f);
  }

  private static void assertSearchExact(DeviceIndex index, float[] rows, float[] queries, int q, int k) {
    assertSearchExact(worker, index, rows, queries, q, k);
  }

  private static void assertSearchExact(CudaWorker on, DeviceIndex index, float[] rows, float[] queries, int q, int k) {
    int n = index.rows();
    int d = index.dimension();
    int keep = index.resultsPerQuery(k);
    int[] ids = new int[q * keep];
    float[] scores = new float[q * keep];

    on.search(index, queries, q, k, ids, scores);

    long[] ranked = new long[n];
    for (int query = 0; query < q; query++) {
      for (int row = 0; row < n; row++) {
        ranked[row] = rankKey(dot(queries, query, rows, row, d), row);
      }
      Arrays.sort(ranked);
      int[] expectedIds = new int[keep];
      float[] expectedScores = new float[keep];
      for (int i = 0; i < keep; i++) {
        int row = ~(int) ranked[n - 1 - i];
        expectedIds[i] = row;
        expectedScores[i] = dot(queries, query, rows, row, d);
      }
      assertThat(Arrays.copyOfRange(ids, query * keep, (query + 1) * keep)).as("ids of query %d", query)
          .containsExactly(expectedIds);
      assertThat(Arrays.copyOfRange(scores, query * keep, (query + 1) * keep)).as("scores of query %d", query)
          .containsExactly(expectedScores);
    }
  }

  /**
   * A long that sorts like (score ascending, then id descending), so that the last
   * elements of a sorted array are the best: higher score first, equal scores by the
   * smaller id. The score's bits are made to compare as a signed int, the id is
   * complemented; {@code ~(int) key} gives the id back.
   */
  private static long rankKey(float score, int id) {
    int bits = Float.floatToIntBits(score);
    int ordered = bits < 0 ? bits ^ 0x7fffffff : bits;
    return ((long) ordered << 32) | (~id & 0xffffffffL);
  }

  private static float[] topScores(float[] rows, float[] queries, int query, int n, int d, int k) {
    float[] all = new float[n];
    for (int row = 0; row < n; row++) {
      all[row] = dot(queries, query, rows, row, d);
    }
    Arrays.sort(all);
    float[] top = new float[k];
    for (int i = 0; i < k; i++) {
      top[i] = all[n - 1 - i];
    }
    return top;
  }

  private static float dot(float[] queries, int query, float[] rows, int row, int d) {
    double sum = 0;
    for (int j = 0; j < d; j++) {
      sum += (double) queries[query * d + j] * rows[row * d + j];
    }
    return (float) sum;
  }

  private static float[] smallIntegers(SplittableRandom random, int count, int spread) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = random.nextInt(-spread, spread + 1);
    }
    return values;
  }

  private static float[] gaussians(SplittableRandom random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      double u1 = 1.0 - random.nextDouble();
      values[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random.nextDouble()));
    }
    return values;
  }

  private static float[] normalizedRows(SplittableRandom random, int rows, int d) {
    float[] values = gaussians(random, rows * d);
    for (int r = 0; r < rows; r++) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        norm += (double) values[r * d + j] * values[r * d + j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < d; j++) {
        values[r * d + j] = (float) (values[r * d + j] / norm);
      }
    }
    return values;
  }
}
