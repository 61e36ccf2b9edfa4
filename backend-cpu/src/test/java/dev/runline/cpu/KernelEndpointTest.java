package dev.runline.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runline.Endpoint;
import dev.runline.JobRequest;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.Status;
import dev.runline.StreamBatch;
import dev.runline.compute.F32le;
import dev.runline.compute.Matrix;
import dev.runline.compute.VectorIndex;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel endpoints end to end on the {@code cpu} backend: jobs through the engine's routes,
 * answers equal to the kernels', malformed input FAILED with the field named while the
 * worker goes on.
 */
class KernelEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int N = 2000;
  private static final int D = 8;
  private static final long SEED = 42;
  private static Runline engine;

  @BeforeAll
  static void start() {
    engine = Runline.builder()
        .endpoint(Endpoint.builder("search").kernel("vector-search").workers(1)
            .backendSetting("index", Map.of("n", N, "d", D, "seed", SEED))
            .backendSetting("maxK", 100)
            .backendSetting("maxQueries", 16)
            .build())
        .endpoint(Endpoint.builder("matmul").kernel("matmul").workers(1).backendSetting("maxDim", 64).build())
        .build();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private static JobStatus runSync(String endpoint, Object input) throws Exception {
    // Through JSON text and back, as the HTTP layer hands it over.
    Object parsed = JSON.readValue(JSON.writeValueAsString(input), Object.class);
    return engine.as(null).endpoint(endpoint).runSync(JobRequest.of(parsed), WAIT).get(30, TimeUnit.SECONDS);
  }

  /** The top-k of {@code query} by plain loops over the same generated index. */
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

  private static float[] query(int seed) {
    return VectorIndex.generate(1, D, seed).vectors().row(0);
  }

  @Test
  void aVectorSearchAnswersTheTopKIdsAndScores() throws Exception {
    float[] q = query(1);

    JobStatus done = runSync("search", Map.of("query", q, "k", 5));

    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    Map<?, ?> output = (Map<?, ?>) done.output();
    assertThat(output.get("ids")).isEqualTo(expectedIds(q, 5));
    List<?> scores = (List<?>) output.get("scores");
    assertThat(scores).hasSize(5);
    for (int i = 1; i < scores.size(); i++) {
      assertThat((Float) scores.get(i)).isLessThanOrEqualTo((Float) scores.get(i - 1));
    }
  }

  @Test
  void aBatchOfQueriesAnswersOneResultPerQuery() throws Exception {
    JobStatus done = runSync("search", Map.of("queries", List.of(query(1), query(2), query(3)), "k", 3));

    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    List<?> results = (List<?>) done.output();
    assertThat(results).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(((Map<?, ?>) results.get(i)).get("ids")).isEqualTo(expectedIds(query(i + 1), 3));
    }
  }

  @Test
  void edgeShapesAnswerSensibly() throws Exception {
    assertThat(runSync("search", Map.of("queries", List.of())).output()).isEqualTo(List.of());
    assertThat((List<?>) ((Map<?, ?>) runSync("search", Map.of("query", query(4), "k", 100)).output()).get("ids")).hasSize(100);
  }

  @Test
  void aMalformedInputFailsNamingTheFieldAndTheWorkerGoesOn() throws Exception {
    JobStatus wrongDimension = runSync("search", Map.of("queries", List.of(query(1), List.of(1, 2, 3))));
    JobStatus tooLargeK = runSync("search", Map.of("query", query(1), "k", 101));
    JobStatus notAnObject = runSync("search", "hello");
    JobStatus good = runSync("search", Map.of("query", query(1), "k", 1));

    assertThat(wrongDimension.status()).isEqualTo(Status.FAILED);
    assertThat(wrongDimension.error()).isEqualTo("KernelInputException: input.queries[1] has 3 numbers; the index has dimension 8");
    assertThat(tooLargeK.error()).contains("input.k must be a whole number from 1 to 100 (backendSettings.maxK), was 101");
    assertThat(notAnObject.error()).contains("input of vector-search must be an object");
    assertThat(good.status()).isEqualTo(Status.COMPLETED);
    assertThat(good.workerId()).isEqualTo("cpu-search-0");
  }

  @Test
  void manyJobsAtOnceEachGetTheirOwnAnswer() throws Exception {
    List<CompletableFuture<JobStatus>> pending = new ArrayList<>();
    List<Integer> ks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int k = 1 + i % 7;
      ks.add(k);
      Object input = i % 10 == 9 ? Map.of("query", List.of(1)) : Map.of("query", query(100 + i), "k", k);
      pending.add(engine.as(null).endpoint("search").runSync(JobRequest.of(input), WAIT));
    }
    for (int i = 0; i < 40; i++) {
      JobStatus done = pending.get(i).get(30, TimeUnit.SECONDS);
      if (i % 10 == 9) {
        assertThat(done.status()).isEqualTo(Status.FAILED);
        assertThat(done.error()).contains("input.query has 1 numbers; the index has dimension 8");
      } else {
        assertThat(done.status()).isEqualTo(Status.COMPLETED);
        assertThat(((Map<?, ?>) done.output()).get("ids")).isEqualTo(expectedIds(query(100 + i), ks.get(i)));
      }
    }
  }

  @Test
  void scoresComeAsF32leWhenAsked() throws Exception {
    JobStatus done = runSync("search", Map.of("query", F32le.encode(query(1)), "k", 4, "output", "f32le"));

    Map<?, ?> output = (Map<?, ?>) done.output();
    assertThat(output.get("ids")).isEqualTo(expectedIds(query(1), 4));
    assertThat(((Map<?, ?>) output.get("scores")).get("shape")).isEqualTo(List.of(4));
  }

  @Test
  void aMatmulAnswersTheProduct() throws Exception {
    JobStatus done = runSync("matmul", Map.of("a", List.of(List.of(1, 2, 3), List.of(4, 5, 6)),
        "b", List.of(List.of(7, 8), List.of(9, 10), List.of(11, 12))));

    assertThat(done.status()).isEqualTo(Status.COMPLETED);
    assertThat(done.output()).isEqualTo(Map.of("c", List.of(List.of(58f, 64f), List.of(139f, 154f))));
  }

  @Test
  void aMatmulInF32leAnswersInF32le() throws Exception {
    Matrix a = Matrix.of(1, 2, new float[] {0.5f, 2});
    Matrix b = Matrix.of(2, 1, new float[] {4, 0.25f});

    JobStatus done = runSync("matmul", Map.of("a", F32le.encode(a), "b", F32le.encode(b), "output", "f32le"));

    assertThat(done.output()).isEqualTo(Map.of("c", F32le.encode(Matrix.of(1, 1, new float[] {2.5f}))));
  }

  @Test
  void aMalformedMatmulFailsNamingTheFieldAndTheWorkerGoesOn() throws Exception {
    JobStatus mismatched = runSync("matmul", Map.of("a", List.of(List.of(1, 2)), "b", List.of(List.of(1, 2))));
    JobStatus tooLarge = runSync("matmul", Map.of("a", List.of(new float[65]), "b", List.of(List.of(1))));
    JobStatus good = runSync("matmul", Map.of("a", List.of(List.of(2)), "b", List.of(List.of(3))));

    assertThat(mismatched.error()).isEqualTo("KernelInputException: input.b has 1 rows; it needs as many as input.a has columns (2)");
    assertThat(tooLarge.error()).contains("input.a[0] has 65 numbers; this endpoint takes at most 64 (backendSettings.maxDim)");
    assertThat(good.output()).isEqualTo(Map.of("c", List.of(List.of(6f))));
  }

  @Test
  void aKernelsOutputIsAlsoItsOneStreamChunk() throws Exception {
    JobStatus done = runSync("matmul", Map.of("a", List.of(List.of(2)), "b", List.of(List.of(3))));

    StreamBatch stream = engine.as(null).endpoint("matmul").stream(done.id(), Duration.ZERO).get(10, TimeUnit.SECONDS);

    assertThat(stream.stream()).singleElement().satisfies(chunk -> assertThat(chunk.output()).isEqualTo(done.output()));
  }

  @Test
  void aBadSettingStopsTheEngineFromStartingNamingTheKeyAndTheKeysAllowed() {
    assertThatThrownBy(() -> Runline.builder()
        .endpoint(Endpoint.builder("search").kernel("vector-search")
            .backendSetting("index", Map.of("n", 10, "d", 2)).backendSetting("device", 0).build())
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint 'search' (vector-search on backend 'cpu'): backendSettings.device is not a setting of a "
            + "vector-search endpoint on this backend; the settings allowed are index, maxK, maxQueries");
    assertThatThrownBy(() -> Runline.builder()
        .endpoint(Endpoint.builder("search").kernel("vector-search").build())
        .build())
        .hasMessageContaining("backendSettings.index is missing");
  }

  @Test
  void anIndexFromANumpyFileIsSearched(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vectors.npy");
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    header = header + " ".repeat(64 - (10 + header.length() + 1) % 64) + "\n";
    ByteBuffer bytes = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
    bytes.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    bytes.put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (float v : new float[] {0, 1, 1, 0, 1, 1}) {
      bytes.putFloat(v);
    }
    Files.write(file, bytes.array());
    try (Runline fromFile = Runline.builder().endpoint(Endpoint.builder("s").kernel("vector-search").workers(1)
        .backendSetting("index", Map.of("npy", file.toString())).build()).build()) {
      JobStatus done = fromFile.as(null).endpoint("s").runSync(JobRequest.of(Map.of("query", List.of(1, 0.1), "k", 2)), WAIT)
          .get(30, TimeUnit.SECONDS);

      assertThat(((Map<?, ?>) done.output()).get("ids")).isEqualTo(List.of(1, 2));
    }
  }
}
