package dev.runline.compute;

import static dev.runline.compute.VectorSearchRequestTest.JSON;
import static dev.runline.compute.VectorSearchRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A matmul job's input: nested lists or f32le, and every refusal naming its field. */
class MatmulRequestTest {
  static final KernelSettings SETTINGS = KernelSettings.parse(Kernel.MATMUL, Map.of("maxDim", 4), List.of());

  static MatmulRequest parse(String input) {
    return MatmulRequest.parse(json(input), SETTINGS);
  }

  @Test
  void nestedListsAreReadRowMajor() {
    MatmulRequest request = parse("{'a': [[1, 2, 3], [4, 5, 6]], 'b': [[1], [0.5], [-1]]}");

    assertThat(request.a().rows()).isEqualTo(2);
    assertThat(request.a().cols()).isEqualTo(3);
    assertThat(request.a().data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(request.b().data()).containsExactly(1f, 0.5f, -1f);
    assertThat(request.f32leOutput()).isFalse();
  }

  @Test
  void theOutputIsCAsNestedLists() throws Exception {
    MatmulRequest request = parse("{'a': [[1]], 'b': [[2, 3]]}");

    Object output = request.output(Matrix.of(2, 2, new float[] {1, 2.5f, -3, 4}));

    assertThat(JSON.writeValueAsString(output)).isEqualTo("{\"c\":[[1.0,2.5],[-3.0,4.0]]}");
  }

  @Test
  void f32leInAndOutRoundTrip() {
    Matrix a = Matrix.of(2, 2, new float[] {1.5f, -2, 1e-20f, 3.4e38f});
    Map<String, Object> input = Map.of("a", F32le.encode(a), "b", F32le.encode(Matrix.of(2, 1, new float[] {1, 0})),
        "output", "f32le");

    MatmulRequest request = MatmulRequest.parse(input, SETTINGS);

    assertThat(request.a().data()).containsExactly(a.data());
    assertThat(request.f32leOutput()).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) request.output(a)).get("c");
    assertThat(c.get("shape")).isEqualTo(List.of(2, 2));
    assertThat(F32le.decode((String) c.get("f32le"), 4, "c")).containsExactly(a.data());
  }

  @Test
  void f32leMixesWithNestedLists() {
    Map<String, Object> input = Map.of("a", List.of(List.of(1, 2)), "b", F32le.encode(Matrix.of(2, 1, new float[] {3, 4})));

    assertThat(MatmulRequest.parse(input, SETTINGS).b().data()).containsExactly(3, 4);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{'a': [[1, 2]]}                                   | input.b | input.b is missing; matmul needs a (m × k) and b (k × n)",
      "{'b': [[1, 2]]}                                   | input.a | input.a is missing",
      "{'a': [[1, 2], [3]], 'b': [[1], [2]]}             | input.a[1] | input.a[1] has 1 numbers; input.a[0] has 2 and every row needs as many",
      "{'a': [[1, 2]], 'b': [[1], [2], [3]]}             | input.b | input.b has 3 rows; it needs as many as input.a has columns (2)",
      "{'a': [], 'b': [[1]]}                             | input.a | input.a is empty; it needs at least one row",
      "{'a': [[]], 'b': [[1]]}                           | input.a[0] | input.a[0] has no numbers; a row needs at least one",
      "{'a': [[1, 2, 3, 4, 5]], 'b': [[1]]}              | input.a[0] | input.a[0] has 5 numbers; this endpoint takes at most 4 (backendSettings.maxDim)",
      "{'a': [[1],[1],[1],[1],[1]], 'b': [[1]]}          | input.a | input.a has 5 rows; this endpoint takes at most 4 (backendSettings.maxDim)",
      "{'a': [[1]], 'b': [[1, 2, 3, 4, 5]]}              | input.b[0] | input.b[0] has 5 numbers; this endpoint takes at most 4 (backendSettings.maxDim)",
      "{'a': [1, 2], 'b': [[1]]}                         | input.a[0] | input.a[0] must be a list of numbers, was a number",
      "{'a': 'eye', 'b': [[1]]}                          | input.a | input.a must be a list of rows (each a list of numbers)",
      "{'a': [[1, null]], 'b': [[1], [2]]}               | input.a[0][1] | input.a[0][1] must be a number, was null",
      "{'a': [[1]], 'b': [[1]], 'c': [[1]]}              | input.c | input.c is not a field of matmul; its fields are a, b, output",
      "{'a': {'shape': [1, 5], 'f32le': ''}, 'b': [[1]]} | input.a.shape[1] | input.a.shape[1] is 5; this endpoint takes at most 4 columns (backendSettings.maxDim)",
      "{'a': {'shape': [1, 0], 'f32le': ''}, 'b': [[1]]} | input.a.shape[1] | input.a.shape[1] is 0; a row needs at least one number",
      "{'a': {'shape': [0, 2], 'f32le': ''}, 'b': [[1]]} | input.a | input.a is empty; it needs at least one row",
  })
  void aMalformedInputIsRefusedNamingTheField(String input, String field, String message) {
    assertThatThrownBy(() -> parse(input))
        .isInstanceOfSatisfying(KernelInputException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(message);
  }
}
