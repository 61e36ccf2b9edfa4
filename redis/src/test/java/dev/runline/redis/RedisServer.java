package dev.runline.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} process for a test: on a free loopback port, in its own
 * temporary directory, with the settings that keep jobs ({@code appendonly yes},
 * {@code maxmemory-policy noeviction}); stopped and its directory removed by {@link #close}.
 * It can be stopped and started again on the same port and directory ({@link #stop},
 * {@link #start}), as a restart of Redis is.
 */
public final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> settings;
  private Process process;

  private RedisServer(Path dir, int port, List<String> settings) {
    this.dir = dir;
    this.port = port;
    this.settings = settings;
  }

  /** Starts one; fails, naming what is missing, when {@code redis-server} is not on the PATH. */
  public static RedisServer start() throws IOException {
    return start(new String[0]);
  }

  /**
   * Starts one with {@code settings} after the defaults, which they override (e.g.
   * {@code "--appendfsync", "everysec"}: the defaults fsync every write, which a test of
   * durability needs and a benchmark pays about a millisecond per write for).
   */
  public static RedisServer start(String... settings) throws IOException {
    Path dir = Files.createTempDirectory("runline-redis-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RedisServer server = new RedisServer(dir, port, List.of(settings));
    server.launch();
    return server;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT/0}. */
  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** Starts it again after {@link #stop}, with what it kept on disk. */
  public void restart() throws IOException {
    launch();
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        "--maxmemory-policy", "noeviction", "--protected-mode", "no"));
    command.addAll(settings);
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IOException("cannot start redis-server (the build installs it where missing: .ci/test-tools.sh): "
          + e.getMessage(), e);
    }
    Awaitility.await("redis-server answering on port " + port).atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20)).until(this::answers);
  }

  private boolean answers() {
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server exited: " + log());
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write("PING\r\n".getBytes());
      byte[] buffer = new byte[7];
      int n = socket.getInputStream().read(buffer);
      return n > 0 && new String(buffer, 0, n).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Stops it at once, as a crash does (what its append-only file has, it keeps). */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
