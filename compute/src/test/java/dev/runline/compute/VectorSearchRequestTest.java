package dev.runline.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A vector-search job's input: what is accepted, and every refusal naming its field. */
class VectorSearchRequestTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final KernelSettings SETTINGS = KernelSettings.parse(Kernel.VECTOR_SEARCH,
      Map.of("index", Map.of("n", 10, "d", 3), "maxK", 50, "maxQueries", 4), List.of());

  /** Parses JSON text the way the HTTP layer hands input to the engine (maps, lists, numbers). */
  static Object json(String text) {
    try {
      return JSON.readValue(text.replace('\'', '"'), Object.class);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static VectorSearchRequest parse(String input) {
    return VectorSearchRequest.parse(json(input), 3, SETTINGS);
  }

  @Test
  void aSingleQueryIsNormalizedAndKDefaultsToTen() {
    VectorSearchRequest request = parse("{'query': [3, 0, 4]}");

    assertThat(request.single()).isTrue();
    assertThat(request.k()).isEqualTo(10);
    assertThat(request.f32leOutput()).isFalse();
    assertThat(request.queries().rows()).isEqualTo(1);
    assertThat(request.queries().row(0)).containsExactly(0.6f, 0f, 0.8f);
  }

  @Test
  void aListOfQueriesIsABatch() {
    VectorSearchRequest request = parse("{'queries': [[1, 0, 0], [0, 2, 0]], 'k': 3}");

    assertThat(request.single()).isFalse();
    assertThat(request.k()).isEqualTo(3);
    assertThat(request.queries().rows()).isEqualTo(2);
    assertThat(request.queries().row(1)).containsExactly(0f, 1f, 0f);
  }

  @Test
  void anEmptyBatchIsAcceptedAndAnswersAnEmptyList() {
    VectorSearchRequest request = parse("{'queries': []}");

    assertThat(request.queries().rows()).isZero();
    assertThat(request.output(new TopK(new int[0][], new float[0][]))).isEqualTo(List.of());
  }

  @Test
  void kMayBeAWholeNumberWrittenWithAFraction() {
    assertThat(parse("{'query': [1, 2, 3], 'k': 5.0}").k()).isEqualTo(5);
  }

  @Test
  void queriesMayComeAsF32le() {
    Matrix queries = Matrix.of(2, 3, new float[] {1, 0, 0, 0, 0, -2});
    Map<String, Object> input = Map.of("queries", F32le.encode(queries), "k", 2);

    VectorSearchRequest request = VectorSearchRequest.parse(input, 3, SETTINGS);

    assertThat(request.queries().row(0)).containsExactly(1f, 0f, 0f);
    assertThat(request.queries().row(1)).containsExactly(0f, 0f, -1f);
  }

  @Test
  void aQueryMayComeAsF32leOfShapeNOrOneByN() {
    Map<String, Object> flat = F32le.encode(new float[] {0, 5, 0});
    Map<String, Object> row = F32le.encode(Matrix.of(1, 3, new float[] {0, 5, 0}));

    assertThat(VectorSearchRequest.parse(Map.of("query", flat), 3, SETTINGS).queries().row(0)).containsExactly(0f, 1f, 0f);
    assertThat(VectorSearchRequest.parse(Map.of("query", row), 3, SETTINGS).queries().row(0)).containsExactly(0f, 1f, 0f);
  }

  @Test
  void javaCallersMayPassFloatArrays() {
    VectorSearchRequest one = VectorSearchRequest.parse(Map.of("query", new float[] {0, 0, 2}), 3, SETTINGS);
    VectorSearchRequest many = VectorSearchRequest.parse(Map.of("queries", new float[][] {{0, 0, 2}, {1, 0, 0}}), 3, SETTINGS);

    assertThat(one.queries().row(0)).containsExactly(0f, 0f, 1f);
    assertThat(many.queries().rows()).isEqualTo(2);
  }

  @Test
  void aJacksonTreeIsReadLikeMaps() throws Exception {
    VectorSearchRequest request = VectorSearchRequest.parse(JSON.readTree("{\"query\": [1, 1, 0], \"k\": 2}"), 3, SETTINGS);

    assertThat(request.k()).isEqualTo(2);
    assertThat(request.queries().get(0, 0)).isEqualTo((float) (1 / Math.sqrt(2)));
  }

  @Test
  void theOutputOfOneQueryIsIdsAndScores() throws Exception {
    VectorSearchRequest request = parse("{'query': [1, 0, 0], 'k': 2}");
    TopK result = new TopK(new int[][] {{4, 1}}, new float[][] {{0.9f, 0.5f}});

    Object output = request.output(result);

    assertThat(JSON.writeValueAsString(output)).isEqualTo("{\"ids\":[4,1],\"scores\":[0.9,0.5]}");
  }

  @Test
  void theOutputOfABatchIsOneResultPerQuery() throws Exception {
    VectorSearchRequest request = parse("{'queries': [[1, 0, 0], [0, 1, 0]], 'k': 1}");
    TopK result = new TopK(new int[][] {{4}, {2}}, new float[][] {{0.25f}, {1f}});

    assertThat(JSON.writeValueAsString(request.output(result)))
        .isEqualTo("[{\"ids\":[4],\"scores\":[0.25]},{\"ids\":[2],\"scores\":[1.0]}]");
  }

  @Test
  void scoresComeAsF32leWhenAsked() {
    VectorSearchRequest request = parse("{'query': [1, 0, 0], 'k': 2, 'output': 'f32le'}");
    float[] scores = {0.75f, -0.125f};

    @SuppressWarnings("unchecked")
    Map<String, Object> output = (Map<String, Object>) request.output(new TopK(new int[][] {{3, 0}}, new float[][] {scores}));

    assertThat(output.get("ids")).isEqualTo(List.of(3, 0));
    @SuppressWarnings("unchecked")
    Map<String, Object> encoded = (Map<String, Object>) output.get("scores");
    assertThat(encoded.get("shape")).isEqualTo(List.of(2));
    assertThat(F32le.decode((String) encoded.get("f32le"), 2, "scores")).containsExactly(scores);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "[1, 2, 3]                                              | input  | must be an object like",
      "{'query': [1, 2]}                                      | input.query | input.query has 2 numbers; the index has dimension 3",
      "{'queries': [[1, 2, 3], [1, 2, 3], [1, 2], [1, 2, 3]]} | input.queries[2] | input.queries[2] has 2 numbers; the index has dimension 3",
      "{'queries': [[1, 2]]}                                  | input.queries[0] | input.queries[0] has 2 numbers; the index has dimension 3",
      "{'query': [1, 'x', 3]}                                 | input.query[1] | input.query[1] must be a number, was a string",
      "{'queries': [[1, 2, 3], [1, true, 3]]}                 | input.queries[1][1] | input.queries[1][1] must be a number, was a boolean",
      "{'queries': [[1, 2, 3], 7]}                            | input.queries[1] | input.queries[1] must be a list of numbers, was a number",
      "{'query': 'fast'}                                      | input.query | input.query must be a list of numbers",
      "{'queries': {'a': 1}}                                  | input.queries.a | input.queries.a is not a field of an f32le array",
      "{'query': [1, 2, 3], 'k': 0}                           | input.k | input.k must be a whole number from 1 to 50 (backendSettings.maxK), was 0",
      "{'query': [1, 2, 3], 'k': 51}                          | input.k | input.k must be a whole number from 1 to 50 (backendSettings.maxK), was 51",
      "{'query': [1, 2, 3], 'k': 2.5}                         | input.k | input.k must be a whole number",
      "{'query': [1, 2, 3], 'k': 'ten'}                       | input.k | input.k must be a whole number from 1 to 50 (backendSettings.maxK), was 'ten'",
      "{'queries': [[1,0,0],[1,0,0],[1,0,0],[1,0,0],[1,0,0]]} | input.queries | input.queries has 5 queries; this endpoint takes at most 4 (backendSettings.maxQueries)",
      "{'query': [1, 2, 3], 'queries': [[1, 2, 3]]}           | input | input has both query and queries",
      "{'k': 3}                                               | input.query | input needs query (one vector of 3 numbers) or queries",
      "{'query': [1, 2, 3], 'top': 3}                         | input.top | input.top is not a field of vector-search; its fields are query, queries, k, output",
      "{'query': [1, 2, 3], 'output': 'npy'}                  | input.output | input.output must be \"json\" (the default) or \"f32le\", was 'npy'",
      "{'query': [0, 0, 0]}                                   | input.query | input.query is all zeros; cosine similarity needs a non-zero vector",
      "{'queries': [[1, 0, 0], [0, 0, 0]]}                    | input.queries[1] | input.queries[1] is all zeros",
      "{'query': [1e39, 0, 0]}                                | input.query[0] | input.query[0] is 1.0E39, beyond the float32 range",
  })
  void aMalformedInputIsRefusedNamingTheField(String input, String field, String message) {
    assertThatThrownBy(() -> parse(input))
        .isInstanceOfSatisfying(KernelInputException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(message);
  }

  @Test
  void notANumberAndInfinityAreRefused() {
    List<Object> query = new ArrayList<>(List.of(1.0, Double.NaN, 0.0));
    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("query", query), 3, SETTINGS))
        .isInstanceOf(KernelInputException.class)
        .hasMessage("input.query[1] is NaN; every number must be finite");
    query.set(1, Double.POSITIVE_INFINITY);
    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("query", query), 3, SETTINGS))
        .hasMessage("input.query[1] is Infinity; every number must be finite");
  }

  @Test
  void notANumberInF32leIsRefusedWithItsPlace() {
    Matrix queries = Matrix.of(2, 3, new float[] {1, 0, 0, 0, Float.NaN, 1});

    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("queries", F32le.encode(queries)), 3, SETTINGS))
        .isInstanceOfSatisfying(KernelInputException.class, e -> assertThat(e.field()).isEqualTo("input.queries.f32le"))
        .hasMessage("input.queries.f32le[4] (row 1, column 1) is NaN; every number must be finite");
  }

  @Test
  void anF32leShapeIsCheckedAgainstTheLimitsBeforeDecoding() {
    Map<String, Object> huge = Map.of("shape", List.of(1_000_000_000, 3), "f32le", "");
    Map<String, Object> wrongDimension = Map.of("shape", List.of(2, 4), "f32le", "");

    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("queries", huge), 3, SETTINGS))
        .hasMessage("input.queries has 1000000000 queries; this endpoint takes at most 4 (backendSettings.maxQueries)");
    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("queries", wrongDimension), 3, SETTINGS))
        .hasMessage("input.queries.shape says 4 numbers per row; the index has dimension 3");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{'shape': [2], 'f32le': ''}             | input.queries.shape | input.queries.shape must be a list [rows, columns], was [2]",
      "{'shape': [2, -1], 'f32le': ''}         | input.queries.shape[1] | input.queries.shape[1] must be a whole number from 0",
      "{'shape': 'big', 'f32le': ''}           | input.queries.shape | input.queries.shape must be a list [rows, columns], was 'big'",
      "{'shape': [1, 3], 'f32le': 'AAAA'}      | input.queries.f32le | input.queries.f32le holds 3 bytes of base64; the shape needs 12 (3 float32 values of 4 bytes)",
      "{'shape': [1, 3], 'f32le': 'AAA'}       | input.queries.f32le | input.queries.f32le holds a malformed base64",
      "{'shape': [1, 3], 'f32le': '!!!!!!!!!!!!!!!!'} | input.queries.f32le | input.queries.f32le is not valid base64",
      "{'shape': [1, 3], 'f32le': 12}          | input.queries.f32le | input.queries.f32le must be a string of base64 (little-endian float32), was a number",
      "{'shape': [1, 3]}                       | input.queries.f32le | input.queries.f32le must be a string of base64",
  })
  void aMalformedF32leArrayIsRefusedNamingTheField(String array, String field, String message) {
    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("queries", json(array)), 3, SETTINGS))
        .isInstanceOfSatisfying(KernelInputException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(message);
  }

  @Test
  void aHugeListIsRefusedByItsSizeAlone() {
    List<Object> many = Collections.nCopies(5, List.of(1, 0, 0));
    assertThatThrownBy(() -> VectorSearchRequest.parse(Map.of("queries", many), 3, SETTINGS))
        .hasMessageContaining("backendSettings.maxQueries");
  }
}
