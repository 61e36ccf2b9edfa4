package dev.runline.cpu.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.compute.Matrix;
import dev.runline.compute.TopK;
import dev.runline.compute.VectorIndex;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CPU vector search equals plain loops, on every shape: same ids, same scores. */
class CpuVectorSearchTest {
  private static final ComputePool POOL = new ComputePool(4);

  static Stream<Arguments> shapes() {
    return Stream.of(
        // n, d, queries, k
        Arguments.of(1, 1, 1, 1),
        Arguments.of(5, 1, 3, 10),          // D = 1, k > N
        Arguments.of(7, 3, 1, 7),           // k = N
        Arguments.of(100, 8, 1, 100_000),   // k far above N
        Arguments.of(1000, 16, 3, 10),      // queries not a multiple of 4
        Arguments.of(2000, 5, 9, 25),       // more than one query block
        Arguments.of(20_000, 32, 2, 10),    // few queries: the rows are split across threads
        Arguments.of(9000, 7, 37, 3),       // odd everything
        Arguments.of(50_000, 64, 64, 10),   // the demo's shape, smaller
        Arguments.of(3000, 300, 5, 50),     // a tile of few rows
        Arguments.of(4097, 4, 17, 1));
  }

  @ParameterizedTest(name = "n={0} d={1} queries={2} k={3}")
  @MethodSource("shapes")
  void itEqualsThePlainLoops(int n, int d, int queries, int k) throws Exception {
    VectorIndex index = VectorIndex.generate(n, d, n * 31L + d);
    Matrix q = VectorIndex.generate(queries, d, 99).vectors();
    int keep = Math.min(k, n);

    TopK actual = new CpuVectorSearch(index, POOL).search(q, keep);
    TopK expected = ReferenceKernels.search(index.vectors(), q, keep);

    assertSame(actual, expected);
  }

  @Test
  void equalScoresComeOutByTheSmallerId() throws Exception {
    // Rows 0..9 repeat the same three vectors, so scores tie in groups.
    float[][] distinct = {{1, 0}, {0.6f, 0.8f}, {0, 1}};
    int n = 5000;
    float[] data = new float[n * 2];
    for (int i = 0; i < n; i++) {
      data[2 * i] = distinct[i % 3][0];
      data[2 * i + 1] = distinct[i % 3][1];
    }
    VectorIndex index = VectorIndex.of(Matrix.of(n, 2, data));
    Matrix query = Matrix.vector(1, 0);

    TopK top = new CpuVectorSearch(index, POOL).search(query, 5);

    assertThat(top.ids(0)).containsExactly(0, 3, 6, 9, 12);
    assertThat(top.scores(0)).containsOnly(1f);
    assertSame(top, ReferenceKernels.search(index.vectors(), query, 5));
  }

  @Test
  void tiesAcrossTheThreadsRowChunksStillComeOutByTheSmallerId() throws Exception {
    // Every row the same: every score ties, the answer is ids 0..k-1 however the rows were split.
    int n = 40_000;
    float[] data = new float[n * 3];
    for (int i = 0; i < n; i++) {
      data[3 * i] = 1;
      data[3 * i + 2] = 1;
    }
    VectorIndex index = VectorIndex.of(Matrix.of(n, 3, data));

    TopK top = new CpuVectorSearch(index, POOL).search(Matrix.of(2, 3, new float[] {1, 0, 0, 0, 0, 1}), 4);

    assertThat(top.ids(0)).containsExactly(0, 1, 2, 3);
    assertThat(top.ids(1)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void negativeAndZeroScoresOrderLikeNumbers() throws Exception {
    VectorIndex index = VectorIndex.of(Matrix.of(4, 2, new float[] {-1, 0, 0, 1, 0, -1, -0.6f, 0.8f}));

    TopK top = new CpuVectorSearch(index, POOL).search(Matrix.vector(1, 0), 4);

    assertThat(top.ids(0)).containsExactly(1, 2, 3, 0);
    assertThat(top.scores(0)).containsExactly(0f, 0f, -0.6f, -1f);
  }

  @Test
  void aRandomQueryMixMatchesOnManyPoolSizes() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 20; round++) {
      int n = 1 + random.nextInt(12_000);
      int d = 1 + random.nextInt(40);
      int queries = 1 + random.nextInt(20);
      int k = 1 + random.nextInt(Math.min(n, 60));
      VectorIndex index = VectorIndex.generate(n, d, random.nextLong());
      Matrix q = VectorIndex.generate(queries, d, random.nextLong()).vectors();
      ComputePool pool = new ComputePool(1 + random.nextInt(6));

      assertSame(new CpuVectorSearch(index, pool).search(q, k), ReferenceKernels.search(index.vectors(), q, k));
    }
  }

  @Test
  void itRefusesWorkOutsideItsContract() {
    CpuVectorSearch search = new CpuVectorSearch(VectorIndex.generate(10, 4, 1), POOL);

    assertThatThrownBy(() -> search.search(Matrix.vector(1, 0, 0), 1)).hasMessageContaining("dimension 4");
    assertThatThrownBy(() -> search.search(Matrix.vector(1, 0, 0, 0), 11)).hasMessageContaining("k must be from 1 to 10");
  }

  @Test
  void theOrderingKeyRoundTripsScoresAndIds() {
    float[] scores = {1f, 0.5f, 0f, -0f, -0.5f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE};
    for (float score : scores) {
      long key = CpuVectorSearch.key(score, 12345);
      assertThat(CpuVectorSearch.idOf(key)).isEqualTo(12345);
      assertThat(CpuVectorSearch.scoreOf(key)).isEqualTo(score == 0 ? 0f : score);
    }
    assertThat(CpuVectorSearch.key(0.5f, 9)).as("higher score first").isLessThan(CpuVectorSearch.key(0.25f, 1));
    assertThat(CpuVectorSearch.key(-0.25f, 9)).isLessThan(CpuVectorSearch.key(-0.5f, 1));
    assertThat(CpuVectorSearch.key(0.5f, 1)).as("then the smaller id").isLessThan(CpuVectorSearch.key(0.5f, 2));
    assertThat(CpuVectorSearch.key(0f, 1)).isLessThan(CpuVectorSearch.key(-0f, 2));
  }

  static void assertSame(TopK actual, TopK expected) {
    assertThat(actual.queries()).isEqualTo(expected.queries());
    for (int q = 0; q < expected.queries(); q++) {
      assertThat(actual.ids(q)).as("ids of query %d", q).containsExactly(expected.ids(q));
      assertThat(actual.scores(q)).as("scores of query %d", q).containsExactly(expected.scores(q));
    }
  }
}
