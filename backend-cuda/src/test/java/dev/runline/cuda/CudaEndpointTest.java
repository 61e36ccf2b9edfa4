package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.compute.Matrix;
import dev.runline.compute.VectorIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kernel endpoints end to end on a real GPU: the {@code cuda} backend found by name, jobs
 * through the engine, answers equal to plain loops over the same generated index. Skipped
 * where no usable GPU is found (fails instead with {@code -Drunline.cuda.required=true}).
 */
class CudaEndpointTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int N = 2000;
  private static final int D = 8;
  private static final long SEED = 42;
  private static Runline engine;

  @BeforeAll
  static void start() {
    if (Boolean.getBoolean("runline.cuda.required") && !CudaNative.isAvailable()) {
      fail("runline.cuda.required is set but no usable CUDA GPU was found: "
          + CudaNative.unavailabilityCause().getMessage(), CudaNative.unavailabilityCause());
    }
    if (!CudaNative.isAvailable()) {
      return;
    }
    engine = Runline.builder()
        .endpoint(Endpoint.builder("search").kernel("vector-search").backend("cuda").workers(2)
            .backendSetting("index", Map.of("n", N, "d", D, "seed", SEED))
            .backendSetting("maxK", 100)
            .build())
        .endpoint(Endpoint.builder("matmul").kernel("matmul").backend("cuda").workers(1).build())
        .build();
  }

  /** Per test, so that each is reported skipped with the reason. */
  @BeforeEach
  void requireGpu() {
    assumeTrue(CudaNative.isAvailable(), () -> "no usable CUDA GPU: " + CudaNative.unavailabilityCause().getMessage());
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  private static float[] query(int seed) {
    return VectorIndex.generate(1, D, seed).vectors().row(0);
  }

  /** Top-k ids by plain loops: scores descending, equal scores by the smaller id. */
  private static List<Integer> expectedIds(float[] query, int k) {
    Matrix index = VectorIndex.generate(N, D, SEED).vectors();
    Matrix q = Matrix.vector(query).normalizedRows();
    Integer[] ids = new Integer[N];
    float[] scores = new float[N];
    for (int i = 0; i < N; i++) {
      double sum = 0;
      for (int j = 0; j < D; j++) {
        sum += (double) q.get(0, j) * index.get(i, j);
      }
      scores[i] = (float) sum;
      ids[i] = i;
    }
    Arrays.sort(ids, (x, y) -> scores[x] != scores[y] ? Float.compare(scores[y], scores[x]) : Integer.compare(x, y));
    return List.of(ids).subList(0, Math.min(k, N));
  }

  @Test
  void manyJobsAtOnceAnswerLikePlainLoops() throws Exception {
    List<CompletableFuture<JobStatus>> jobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      jobs.add(engine.as(null).endpoint("search").runSync(JobRequest.of(Map.of("query", query(i), "k", 5)), WAIT));
    }

    for (int i = 0; i < jobs.size(); i++) {
      JobStatus done = jobs.get(i).get(60, TimeUnit.SECONDS);
      assertThat(done.status()).as("job %d: %s", i, done.error()).isEqualTo(Status.COMPLETED);
      assertThat(((Map<?, ?>) done.output()).get("ids")).as("job %d", i).isEqualTo(expectedIds(query(i), 5));
      assertThat(done.workerId()).startsWith("cuda-search-");
    }
  }

  @Test
  void malformedInputFailsAndTheWorkerGoesOn() throws Exception {
    JobStatus bad = engine.as(null).endpoint("search").runSync(JobRequest.of(Map.of("query", List.of(1, 2, 3))), WAIT)
        .get(60, TimeUnit.SECONDS);
    JobStatus good = engine.as(null).endpoint("search").runSync(JobRequest.of(Map.of("query", query(1), "k", 100)), WAIT)
        .get(60, TimeUnit.SECONDS);

    assertThat(bad.status()).isEqualTo(Status.FAILED);
    assertThat(bad.error()).contains("input.query has 3 numbers; the index has dimension 8");
    assertThat(((Map<?, ?>) good.output()).get("ids")).isEqualTo(expectedIds(query(1), 100));
  }

  @Test
  void matmulAnswersTheProduct() throws Exception {
    JobStatus done = engine.as(null).endpoint("matmul").runSync(JobRequest.of(Map.of(
        "a", List.of(List.of(1.5, 2), List.of(3, 4), List.of(-1, 0.25)),
        "b", List.of(List.of(5, 6, 7), List.of(8, 9, 10)))), WAIT).get(60, TimeUnit.SECONDS);

    assertThat(done.status()).as(done.error()).isEqualTo(Status.COMPLETED);
    List<?> c = (List<?>) ((Map<?, ?>) done.output()).get("c");
    float[][] expected = {{23.5f, 27f, 30.5f}, {47f, 54f, 61f}, {-3f, -3.75f, -4.5f}};
    for (int i = 0; i < 3; i++) {
      List<?> row = (List<?>) c.get(i);
      for (int j = 0; j < 3; j++) {
        assertThat(((Number) row.get(j)).floatValue()).isCloseTo(expected[i][j], within(1e-5f));
      }
    }
  }
}
