package dev.runline.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the HTTP listener, immutable: start from {@link #of} (the defaults) and change
 * what differs with the {@code with...} methods, each of which checks its value and returns
 * a changed copy.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.of("0.0.0.0", 8080).withIdleTimeoutSeconds(60).withMaxConnections(2_000);
 * }</pre>
 */
public final class ServerOptions {
  private final String host;
  private final int port;
  private int maxHeaderSize = 16 * 1024;
  private int idleTimeoutSeconds = 120;
  private int bodyTimeoutSeconds = 30;
  private int maxConnections = 10_000;
  private long runBodyBytes = HttpApi.RUN_BODY_LIMIT;
  private long runSyncBodyBytes = HttpApi.RUNSYNC_BODY_LIMIT;
  private long maxWaitMillis = HttpApi.MAX_WAIT;
  private int eventLoops = Runtime.getRuntime().availableProcessors();
  private List<String> workerKeys = List.of();
  private Path tlsCert;
  private Path tlsKey;
  private boolean dashboard = true;

  private ServerOptions(String host, int port) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
    }
    this.port = port;
  }

  private ServerOptions copy() {
    ServerOptions copy = new ServerOptions(host, port);
    copy.maxHeaderSize = maxHeaderSize;
    copy.idleTimeoutSeconds = idleTimeoutSeconds;
    copy.bodyTimeoutSeconds = bodyTimeoutSeconds;
    copy.maxConnections = maxConnections;
    copy.runBodyBytes = runBodyBytes;
    copy.runSyncBodyBytes = runSyncBodyBytes;
    copy.maxWaitMillis = maxWaitMillis;
    copy.eventLoops = eventLoops;
    copy.workerKeys = workerKeys;
    copy.tlsCert = tlsCert;
    copy.tlsKey = tlsKey;
    copy.dashboard = dashboard;
    return copy;
  }

  /**
   * The defaults: 16 KB of headers, 120 s idle, 30 s to send a body, 10,000 connections, 10 / 20
   * MB bodies, 300 s waits, an event loop per processor.
   *
   * @param host the address to listen on
   * @param port the port; 0 takes a free one
   */
  public static ServerOptions of(String host, int port) {
    return new ServerOptions(host, port);
  }

  /** The address to listen on. */
  public String host() {
    return host;
  }

  /** The port; 0 takes a free one. */
  public int port() {
    return port;
  }

  /** Bytes of request headers accepted (beyond: 431). */
  public int maxHeaderSize() {
    return maxHeaderSize;
  }

  public ServerOptions withMaxHeaderSize(int bytes) {
    ServerOptions copy = copy();
    copy.maxHeaderSize = (int) positive("maxHeaderSize", bytes);
    return copy;
  }

  /** A connection silent this long is closed. */
  public int idleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  public ServerOptions withIdleTimeoutSeconds(int seconds) {
    ServerOptions copy = copy();
    copy.idleTimeoutSeconds = (int) positive("idleTimeoutSeconds", seconds);
    return copy;
  }

  /**
   * A request body not complete this long after its headers is refused with 408 and its
   * connection closed (a client trickling bytes is never idle).
   */
  public int bodyTimeoutSeconds() {
    return bodyTimeoutSeconds;
  }

  public ServerOptions withBodyTimeoutSeconds(int seconds) {
    ServerOptions copy = copy();
    copy.bodyTimeoutSeconds = (int) positive("bodyTimeoutSeconds", seconds);
    return copy;
  }

  /** Open connections beyond this are closed at once. */
  public int maxConnections() {
    return maxConnections;
  }

  public ServerOptions withMaxConnections(int connections) {
    ServerOptions copy = copy();
    copy.maxConnections = (int) positive("maxConnections", connections);
    return copy;
  }

  /** The body limit of every route but {@code /runsync} (beyond: 413). */
  public long runBodyBytes() {
    return runBodyBytes;
  }

  /** The body limit of {@code /runsync}. */
  public long runSyncBodyBytes() {
    return runSyncBodyBytes;
  }

  /** The body limits of {@code /run} (and every other route) and of {@code /runsync}. */
  public ServerOptions withBodyLimits(long runBytes, long runSyncBytes) {
    ServerOptions copy = copy();
    copy.runBodyBytes = positive("runBodyBytes", runBytes);
    copy.runSyncBodyBytes = positive("runSyncBodyBytes", runSyncBytes);
    return copy;
  }

  /** The longest {@code wait} a long poll may hold. */
  public long maxWaitMillis() {
    return maxWaitMillis;
  }

  public ServerOptions withMaxWaitMillis(long millis) {
    ServerOptions copy = copy();
    copy.maxWaitMillis = positive("maxWaitMillis", millis);
    return copy;
  }

  /** Event-loop threads that serve connections, each new connection going to the next. */
  public int eventLoops() {
    return eventLoops;
  }

  public ServerOptions withEventLoops(int loops) {
    ServerOptions copy = copy();
    copy.eventLoops = (int) positive("eventLoops", loops);
    return copy;
  }

  /**
   * The keys worker processes of {@code remote} endpoints send (raw in {@code Authorization});
   * none by default, and then no worker may take jobs.
   */
  public List<String> workerKeys() {
    return workerKeys;
  }

  public ServerOptions withWorkerKeys(List<String> keys) {
    ServerOptions copy = copy();
    copy.workerKeys = List.copyOf(keys);
    for (String key : copy.workerKeys) {
      if (key.length() < 8) {
        throw new IllegalArgumentException("a worker key must have at least 8 characters; one has " + key.length());
      }
    }
    return copy;
  }

  /** The PEM certificate (chain) served over TLS, or {@code null} for plain HTTP. */
  public Path tlsCert() {
    return tlsCert;
  }

  /** The PEM private key of {@link #tlsCert()}, or {@code null} for plain HTTP. */
  public Path tlsKey() {
    return tlsKey;
  }

  /** Serves HTTPS only, with this PEM certificate (chain) and its PEM private key. */
  public ServerOptions withTls(Path certificate, Path privateKey) {
    ServerOptions copy = copy();
    copy.tlsCert = Objects.requireNonNull(certificate, "certificate");
    copy.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
    return copy;
  }

  /** Whether {@code /dashboard} (the page and its event stream) is served (default: yes). */
  public boolean dashboard() {
    return dashboard;
  }

  public ServerOptions withDashboard(boolean serve) {
    ServerOptions copy = copy();
    copy.dashboard = serve;
    return copy;
  }

  private static long positive(String what, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be positive, was " + value);
    }
    return value;
  }
}
