package dev.runline.config;

import static dev.runline.config.RunlineConfigErrorsTest.failure;
import static dev.runline.config.RunlineConfigTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.Work;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code backend: remote} endpoints and {@code workerKeys} in the configuration file. */
class RunlineConfigRemoteTest {

  @Test
  void aRemoteEndpointNamesNoHandlerAndKeepsItsBackendSettings() {
    RunlineConfig config = parse(String.join("\n",
        "workerKeys: [ worker-key-0001 ]",
        "endpoints:",
        "  my-model:",
        "    backend: remote",
        "    backendSettings: { leaseTimeout: 30s, maxRedeliveries: 2, takeWait: 20s, maxBatch: 8 }",
        ""));

    Endpoint endpoint = config.endpoints().get("my-model");
    assertThat(endpoint.work()).isInstanceOf(Work.External.class);
    assertThat(endpoint.backend()).isEqualTo("remote");
    assertThat(endpoint.backendSettings()).containsEntry("leaseTimeout", "30s").containsEntry("maxBatch", 8);
    assertThat(config.workerKeys()).containsExactly("worker-key-0001");
    assertThat(config.toString()).contains("1 worker key(s)").doesNotContain("worker-key-0001");
  }

  @Test
  void workerKeysAreNoneWhenTheFileSetsNone() {
    assertThat(parse("endpoints: { e: { handler: echo } }").workerKeys()).isEmpty();
  }

  @Test
  void aRemoteEndpointWithAHandlerIsRefused() {
    ConfigException e = failure("endpoints: { m: { backend: remote, handler: echo } }");

    assertThat(e.path()).isEqualTo("endpoints.m.handler");
    assertThat(e.getMessage()).contains("runs no code of its own").contains("remove this key");
  }

  @Test
  void anEndpointWithNeitherHandlerNorKernelPointsToTheRemoteBackend() {
    ConfigException e = failure("endpoints: { m: { backend: cpu } }");

    assertThat(e.path()).isEqualTo("endpoints.m.handler");
    assertThat(e.getMessage()).contains("backend: remote");
  }

  @Test
  void aShortWorkerKeyIsRefusedWithoutQuotingIt() {
    ConfigException e = failure("workerKeys: [ short ]\nendpoints: { e: { handler: echo } }");

    assertThat(e.path()).isEqualTo("workerKeys[0]");
    assertThat(e.getMessage()).contains("at least 8 characters").doesNotContain("short ");
  }

  @Test
  void aKeyThatIsBothAClientKeyAndAWorkerKeyIsRefused() {
    ConfigException e = failure(String.join("\n",
        "apiKeys: [ shared-key-0001 ]",
        "workerKeys: [ worker-key-0001, shared-key-0001 ]",
        "endpoints: { e: { handler: echo } }"));

    assertThat(e.path()).isEqualTo("workerKeys[1]");
    assertThat(e.getMessage()).contains("is also one of apiKeys").doesNotContain("shared-key-0001");
  }

  @Test
  void remoteSettingsAreHandedOverAsWritten() {
    Map<String, Object> settings = parse("endpoints: { m: { backend: remote, backendSettings: { takeWait: 500 } } }")
        .endpoints().get("m").backendSettings();

    assertThat(settings).containsExactly(Map.entry("takeWait", 500));
  }
}
