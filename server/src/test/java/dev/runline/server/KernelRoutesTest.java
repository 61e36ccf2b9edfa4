package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.compute.F32le;
import dev.runline.compute.Matrix;
import dev.runline.compute.VectorIndex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The bundled compute endpoints over HTTP: {@code vector-search} over its 100,000 × 64
 * index and {@code matmul}, answering through {@code /runsync} exactly what plain loops
 * compute, and a malformed input answering FAILED with the field named.
 */
class KernelRoutesTest {
  private static final String KEY = "kernel-test-key";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Main.Running running;

  @BeforeAll
  static void start() throws Exception {
    Main main = new Main(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    new CommandLine(main).parseArgs("--port", "0", "--api-key", KEY);
    running = main.start(null);
  }

  @AfterAll
  static void stop() {
    running.close();
  }

  private static JsonNode runSync(String endpoint, JsonNode input) throws Exception {
    ObjectNode body = JobRequests.MAPPER.createObjectNode();
    body.set("input", input);
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + running.server().port() + "/v2/" + endpoint + "/runsync"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JobRequests.MAPPER.writeValueAsString(body)))
        .build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JobRequests.MAPPER.readTree(response.body());
  }

  private static ArrayNode array(float[] values) {
    ArrayNode array = JobRequests.MAPPER.createArrayNode();
    for (float v : values) {
      array.add(v);
    }
    return array;
  }

  /** The top k of a query over the demo's index, by plain loops. */
  private static List<Integer> expectedIds(float[] query, int k) {
    Matrix index = VectorIndex.generate(100_000, 64, 42).vectors();
    Matrix q = Matrix.vector(query).normalizedRows();
    float[] scores = new float[index.rows()];
    Integer[] ids = new Integer[index.rows()];
    for (int i = 0; i < index.rows(); i++) {
      double sum = 0;
      for (int j = 0; j < 64; j++) {
        sum += (double) q.get(0, j) * index.get(i, j);
      }
      scores[i] = (float) sum;
      ids[i] = i;
    }
    Arrays.sort(ids, (x, y) -> scores[x] != scores[y] ? Float.compare(scores[y], scores[x]) : Integer.compare(x, y));
    return Arrays.asList(ids).subList(0, k);
  }

  @Test
  void vectorSearchAnswersTheTopTenOfItsIndex() throws Exception {
    float[] query = VectorIndex.generate(1, 64, 7).vectors().row(0);
    ObjectNode input = JobRequests.MAPPER.createObjectNode();
    input.set("query", array(query));
    input.put("k", 10);

    JsonNode body = runSync("vector-search", input);

    assertThat(body.path("status").asText()).isEqualTo("COMPLETED");
    List<Integer> ids = new ArrayList<>();
    body.path("output").path("ids").forEach(id -> ids.add(id.asInt()));
    assertThat(ids).isEqualTo(expectedIds(query, 10));
    JsonNode scores = body.path("output").path("scores");
    assertThat(scores).hasSize(10);
    for (int i = 1; i < 10; i++) {
      assertThat(scores.get(i).asDouble()).isLessThanOrEqualTo(scores.get(i - 1).asDouble());
    }
  }

  @Test
  void vectorSearchTakesF32leQueries() throws Exception {
    Matrix queries = VectorIndex.generate(3, 64, 8).vectors();
    ObjectNode input = JobRequests.MAPPER.createObjectNode();
    input.set("queries", JobRequests.MAPPER.valueToTree(F32le.encode(queries)));
    input.put("k", 3);

    JsonNode body = runSync("vector-search", input);

    assertThat(body.path("output")).hasSize(3);
    for (int q = 0; q < 3; q++) {
      List<Integer> ids = new ArrayList<>();
      body.path("output").get(q).path("ids").forEach(id -> ids.add(id.asInt()));
      assertThat(ids).isEqualTo(expectedIds(queries.row(q), 3));
    }
  }

  @Test
  void matmulAnswersTheProduct() throws Exception {
    JsonNode input = JobRequests.MAPPER.readTree("{\"a\": [[1, 2], [3, 4]], \"b\": [[5, 6], [7, 8]]}");

    JsonNode body = runSync("matmul", input);

    assertThat(body.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(body.path("output").toString()).isEqualTo("{\"c\":[[19.0,22.0],[43.0,50.0]]}");
  }

  @Test
  void aMalformedInputAnswersFailedNamingTheField() throws Exception {
    JsonNode body = runSync("vector-search", JobRequests.MAPPER.readTree("{\"query\": [1, 2, 3]}"));
    JsonNode matmul = runSync("matmul", JobRequests.MAPPER.readTree("{\"a\": [[1, 2]], \"b\": [[1], [\"x\"]]}"));

    assertThat(body.path("status").asText()).isEqualTo("FAILED");
    assertThat(body.path("error").asText()).contains("input.query has 3 numbers; the index has dimension 64");
    assertThat(matmul.path("error").asText()).contains("input.b[1][0] must be a number, was a string");
  }
}
