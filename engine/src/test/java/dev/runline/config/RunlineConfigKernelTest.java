package dev.runline.config;

import static dev.runline.config.RunlineConfigErrorsTest.failure;
import static dev.runline.config.RunlineConfigTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.Work;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code kernel:} endpoints in the configuration file, and moving them to another backend. */
class RunlineConfigKernelTest {
  private static final String FILE = String.join("\n",
      "endpoints:",
      "  echo:",
      "    handler: echo",
      "  search:",
      "    kernel: vector-search",
      "    backend: cpu",
      "    workers: 2",
      "    backendSettings:",
      "      index: { n: 1000, d: 16, seed: 42 }",
      "      maxK: 50",
      "  multiply:",
      "    kernel: matmul",
      "    backendSettings: { maxDim: 256 }",
      "");

  @Test
  void anEndpointMayRunAKernelWithItsSettingsInBackendSettings() {
    Map<String, Endpoint> endpoints = parse(FILE).endpoints();

    Endpoint search = endpoints.get("search");
    assertThat(search.work()).isEqualTo(new Work.Kernel("vector-search"));
    assertThat(search.workers()).isEqualTo(2);
    assertThat(search.backendSettings())
        .containsEntry("index", Map.of("n", 1000, "d", 16, "seed", 42))
        .containsEntry("maxK", 50);
    assertThat(endpoints.get("multiply").work()).isEqualTo(new Work.Kernel("matmul"));
    assertThat(endpoints.get("multiply").backendSettings()).containsEntry("maxDim", 256);
    assertThat(endpoints.get("echo").work()).isInstanceOf(Work.Plain.class);
  }

  @Test
  void aKernelIsNamedAsWrittenAndCheckedByItsBackendAtStart() {
    assertThat(parse("endpoints: { m: { kernel: MatMul } }").endpoints().get("m").work())
        .isEqualTo(new Work.Kernel("MatMul"));
  }

  @Test
  void aBlankKernelIsRefused() {
    ConfigException e = failure("endpoints: { m: { kernel: ' ' } }");

    assertThat(e.path()).isEqualTo("endpoints.m.kernel");
    assertThat(e.getMessage()).contains("kernel must name a kernel");
  }

  @Test
  void aKernelThatIsNotAStringIsRefused() {
    assertThat(failure("endpoints: { m: { kernel: [matmul] } }").getMessage())
        .isEqualTo("test.yaml: endpoints.m.kernel: expected a string, was a list");
  }

  @Test
  void anEndpointHasAHandlerOrAKernelNotBoth() {
    ConfigException e = failure("endpoints: { m: { handler: echo, kernel: matmul } }");

    assertThat(e.path()).isEqualTo("endpoints.m.kernel");
    assertThat(e.getMessage()).isEqualTo("test.yaml: endpoints.m.kernel: an endpoint runs either a handler or a kernel, "
        + "not both; remove one of the two");
  }

  @Test
  void withKernelBackendMovesEveryKernelEndpointAndNothingElse() {
    RunlineConfig config = parse(FILE);

    RunlineConfig moved = config.withKernelBackend("cuda");

    assertThat(moved.endpoints().get("search").backend()).isEqualTo("cuda");
    assertThat(moved.endpoints().get("multiply").backend()).isEqualTo("cuda");
    assertThat(moved.endpoints().get("echo").backend()).isEqualTo("cpu");
    assertThat(moved.endpoints().get("search").backendSettings()).isEqualTo(config.endpoints().get("search").backendSettings());
    assertThat(moved.endpoints().get("search").workers()).isEqualTo(2);
    assertThat(config.endpoints().get("search").backend()).as("the original is unchanged").isEqualTo("cpu");
    assertThatThrownBy(() -> config.withKernelBackend(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
