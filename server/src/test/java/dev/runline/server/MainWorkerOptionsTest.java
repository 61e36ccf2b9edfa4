package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code runline-server}'s settings for remote workers: worker keys and TLS. */
class MainWorkerOptionsTest {
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  private Main main(String... args) {
    Main main = new Main(new PrintStream(console, true, StandardCharsets.UTF_8));
    new CommandLine(main).parseArgs(args);
    return main;
  }

  private static Path remoteConfig(Path dir, String extra) throws Exception {
    Path file = dir.resolve("runline.yaml");
    Files.writeString(file, extra + "endpoints:\n  my-model:\n    backend: remote\n"
        + "    backendSettings: { takeWait: 0ms }\n");
    return file;
  }

  /** A take as a worker makes it (the key raw in Authorization): 204 when the key is a worker key. */
  private static int take(Main.Running running, String key) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.server().port()
        + "/v2/my-model/job-take/w1?x=1&job_in_progress=0")).header("Authorization", key).GET().build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void workerKeysComeFromTheFlagTheEnvironmentAndTheFileAndAreNotPrinted(@TempDir Path dir) throws Exception {
    Path file = remoteConfig(dir, "workerKeys: [ \"file-worker-key\" ]\n");
    try (Main.Running running = main("--port", "0", "--api-key", "client-key-1", "--worker-key", "flag-worker-key",
        "--config", file.toString()).start(null, "env-worker-key")) {
      assertThat(take(running, "flag-worker-key")).isEqualTo(204);
      assertThat(take(running, "env-worker-key")).isEqualTo(204);
      assertThat(take(running, "file-worker-key")).isEqualTo(204);
      assertThat(take(running, "client-key-1")).isEqualTo(401);
      assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("worker-key");
    }
  }

  @Test
  void aRemoteEndpointWithoutWorkerKeysGetsOneGeneratedAndPrintedOnce(@TempDir Path dir) throws Exception {
    try (Main.Running running = main("--port", "0", "--api-key", "client-key-1", "--config",
        remoteConfig(dir, "").toString()).start(null, null)) {
      Matcher printed = Pattern.compile("worker key \\(RUNPOD_AI_API_KEY of the workers\\) is: (\\S+)")
          .matcher(console.toString(StandardCharsets.UTF_8));
      assertThat(printed.find()).isTrue();
      String key = printed.group(1);
      assertThat(key).startsWith("rl_").isNotEqualTo("client-key-1");
      assertThat(take(running, key)).isEqualTo(204);
    }
  }

  @Test
  void aWorkerKeyThatIsAlsoAClientKeyFailsTheStart() {
    assertThatThrownBy(() -> main("--port", "0", "--api-key", "shared-key-1", "--worker-key", "shared-key-1")
        .start(null, null))
        .hasMessageContaining("worker key 1").hasMessageContaining("also a client API key")
        .hasMessageNotContaining("shared-key-1");
  }

  @Test
  void aTlsCertificateWithoutItsKeyFailsTheStartNamingBothFlags(@TempDir Path dir) {
    assertThatThrownBy(() -> main("--port", "0", "--tls-cert", dir.resolve("cert.pem").toString()).start(null, null))
        .hasMessageContaining("--tls-cert").hasMessageContaining("--tls-key");
  }
}
