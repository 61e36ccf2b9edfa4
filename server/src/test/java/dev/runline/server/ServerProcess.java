package dev.runline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@code runline-server} in a process of its own, started from the test class path with the
 * flags given, on a free loopback port; {@link #kill} ends it as {@code kill -9} does.
 */
final class ServerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final int port;
  private final String key;
  private final Path log;
  private final Process process;

  private ServerProcess(String name, int port, String key, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.key = key;
    this.log = log;
    this.process = process;
  }

  /** Starts one with {@code args} (besides the port and the key) and waits until it answers. */
  static ServerProcess start(String name, Path dir, String key, String... args) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", classPath, Main.class.getName(), "--port", Integer.toString(port), "--api-key", key,
        "--event-loops", "1"));
    command.addAll(List.of(args));
    Path log = dir.resolve(name + "-" + port + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(name, port, key, log, process);
    Awaitility.await(name + " answering /ping").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(server::answers);
    return server;
  }

  private boolean answers() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + log());
    }
    try {
      return get("/ping").status() == 200;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  String name() {
    return name;
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Reply post(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = CLIENT.send(request.header("Authorization", "Bearer " + key)
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
      return new Reply(response.statusCode(), json, response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Ends it at once, as {@code kill -9} does: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  record Reply(int status, JsonNode json, String body) {
    String text(String field) {
      return json == null || !json.hasNonNull(field) ? null : json.get(field).asText();
    }
  }
}
