package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.spi.BackendProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The runnable service: flags, keys and the bundled demo endpoints. */
class MainTest {
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  private Main main(String... args) {
    Main main = new Main(new PrintStream(console, true, StandardCharsets.UTF_8));
    new CommandLine(main).parseArgs(args);
    return main;
  }

  private static int call(Main.Running running, String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + running.server().port() + path));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient().send(request.GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void withoutAKeyItGeneratesOnePrintsItOnceAndIsNeverOpen() throws Exception {
    try (Main.Running running = main("--port", "0").start(null)) {
      String key = running.keys().get(0);
      assertThat(key).startsWith("rl_").hasSizeGreaterThan(20);
      String out = console.toString(StandardCharsets.UTF_8);
      assertThat(out.split(key, -1)).as("the key is printed in the key line and the example curl").hasSize(3);
      assertThat(call(running, "/v2/echo/health", null)).isEqualTo(401);
      assertThat(call(running, "/v2/echo/health", key)).isEqualTo(200);
    }
  }

  @Test
  void keysComeFromFlagsAndTheEnvironmentAndAreNotPrinted() throws Exception {
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123").start("env-key-1234, env-key-5678")) {
      assertThat(running.keys()).containsExactly("flag-key-123", "env-key-1234", "env-key-5678");
      assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("flag-key-123").doesNotContain("env-key");
      assertThat(call(running, "/v2/echo/health", "env-key-5678")).isEqualTo(200);
    }
  }

  @Test
  void theDashboardIsServedUnlessDashboardOffRemovesIt() throws Exception {
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123").start(null)) {
      assertThat(call(running, "/dashboard/", null)).isEqualTo(200);
      assertThat(console.toString(StandardCharsets.UTF_8)).contains("/dashboard/");
    }
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123", "--dashboard", "OFF").start(null)) {
      assertThat(call(running, "/dashboard/", null)).isEqualTo(404);
      assertThat(call(running, "/dashboard/events", "flag-key-123")).isEqualTo(404);
      assertThat(call(running, "/v2/echo/health", "flag-key-123")).isEqualTo(200);
    }
    assertThatThrownBy(() -> main("--dashboard", "maybe"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("expected on or off, was 'maybe'");
  }

  @Test
  void theDefaultConfigurationServesTheDemoEndpoints() throws Exception {
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123").start(null)) {
      assertThat(running.engine().inspect().endpoints()).containsExactly("echo", "tokens", "sleep", "fail", "vector-search", "matmul");
      assertThat(call(running, "/ping", null)).isEqualTo(200);
    }
  }

  @Test
  void aConfigurationFileReplacesTheDemoEndpoints(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("runline.yaml");
    Files.writeString(file, String.join("\n", List.of(
        "endpoints:",
        "  my-echo:",
        "    handler: echo",
        "    backend: cpu",
        "    workers: 1")));
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123", "--config", file.toString()).start(null)) {
      assertThat(running.engine().inspect().endpoints()).containsExactly("my-echo");
    }
  }

  @Test
  void aBadConfigurationFailsTheStartNamingTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("runline.yaml");
    Files.writeString(file, "endpoints:\n  e:\n    handler: echo\n    wokers: 2\n");
    assertThatThrownBy(() -> main("--port", "0", "--config", file.toString()).start(null))
        .hasMessageContaining("endpoints.e.wokers");
  }

  @Test
  void backendMovesTheComputeEndpointsAndAMissingBackendFailsTheStartNamingIt() {
    assertThatThrownBy(() -> main("--port", "0", "--api-key", "flag-key-123", "--backend", "nowhere").start(null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("endpoint 'vector-search' names backend 'nowhere'")
        .hasMessageContaining("the backends on the class path are [cpu");
  }

  @Test
  void backendCpuKeepsEveryEndpointServing() throws Exception {
    try (Main.Running running = main("--port", "0", "--api-key", "flag-key-123", "--backend", "cpu").start(null)) {
      assertThat(running.engine().inspect().endpoints()).contains("echo", "vector-search", "matmul");
      assertThat(call(running, "/v2/matmul/health", "flag-key-123")).isEqualTo(200);
    }
  }

  @Test
  void backendCudaWithoutAGpuExitsNonZeroNamingTheCause() {
    Assumptions.assumeFalse(cudaRunsHere(), "a usable 'cuda' backend is on the class path: the service would start");
    StringWriter err = new StringWriter();

    int code = Main.execute(new Main(new PrintStream(console, true, StandardCharsets.UTF_8)), new PrintWriter(err),
        "--port", "0", "--api-key", "flag-key-123", "--backend", "cuda");

    assertThat(code).isNotZero();
    assertThat(err.toString()).startsWith("runline-server: endpoint 'vector-search' ").contains("backend 'cuda'");
  }

  private static boolean cudaRunsHere() {
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
      if (provider.name().equals("cuda") && provider.isAvailable()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theDefaultsAreLoopbackAndPort8080() {
    Main main = main();
    assertThat(main.host).isEqualTo("127.0.0.1");
    assertThat(main.port).isEqualTo(8080);
  }
}
