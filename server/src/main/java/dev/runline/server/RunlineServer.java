package dev.runline.server;

import dev.runline.Runline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server (Vert.x Web on Netty) answering the endpoint API for one engine. It
 * does not own the engine: close the server, then the engine.
 */
public final class RunlineServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunlineServer.class);
  /**
   * Settings of the HTTP listener, immutable: start from {@link #of} (the defaults) and change
   * what differs with the {@code with...} methods, each of which checks its value.
   *
   * <pre>{@code
   * Options options = Options.of("0.0.0.0", 8080).withIdleTimeoutSeconds(60).withMaxConnections(2_000);
   * }</pre>
   *
   * @param host the address to listen on
   * @param port the port; 0 takes a free one
   * @param maxHeaderSize bytes of request headers accepted (beyond: 431)
   * @param idleTimeoutSeconds a connection silent this long is closed
   * @param bodyTimeoutSeconds a request body not complete this long after its headers is
   *     refused with 408 and its connection closed (a client trickling bytes is never idle)
   * @param maxConnections open connections beyond this are closed at once
   * @param runBodyBytes the body limit of every route but {@code /runsync} (beyond: 413)
   * @param runSyncBodyBytes the body limit of {@code /runsync}
   * @param maxWaitMillis the longest {@code wait} a long poll may hold
   */
  public record Options(String host, int port, int maxHeaderSize, int idleTimeoutSeconds, int bodyTimeoutSeconds,
      int maxConnections, long runBodyBytes, long runSyncBodyBytes, long maxWaitMillis) {

    public Options {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
      }
      positive("maxHeaderSize", maxHeaderSize);
      positive("idleTimeoutSeconds", idleTimeoutSeconds);
      positive("bodyTimeoutSeconds", bodyTimeoutSeconds);
      positive("maxConnections", maxConnections);
      positive("runBodyBytes", runBodyBytes);
      positive("runSyncBodyBytes", runSyncBodyBytes);
      positive("maxWaitMillis", maxWaitMillis);
    }

    /** The defaults: 16 KB of headers, 120 s idle, 30 s to send a body, 10,000 connections, 10 / 20 MB bodies, 300 s waits. */
    public static Options of(String host, int port) {
      return new Options(host, port, 16 * 1024, 120, 30, 10_000, HttpApi.RUN_BODY_LIMIT, HttpApi.RUNSYNC_BODY_LIMIT,
          HttpApi.MAX_WAIT);
    }

    public Options withMaxHeaderSize(int bytes) {
      return new Options(host, port, bytes, idleTimeoutSeconds, bodyTimeoutSeconds, maxConnections, runBodyBytes,
          runSyncBodyBytes, maxWaitMillis);
    }

    public Options withIdleTimeoutSeconds(int seconds) {
      return new Options(host, port, maxHeaderSize, seconds, bodyTimeoutSeconds, maxConnections, runBodyBytes,
          runSyncBodyBytes, maxWaitMillis);
    }

    public Options withBodyTimeoutSeconds(int seconds) {
      return new Options(host, port, maxHeaderSize, idleTimeoutSeconds, seconds, maxConnections, runBodyBytes,
          runSyncBodyBytes, maxWaitMillis);
    }

    public Options withMaxConnections(int connections) {
      return new Options(host, port, maxHeaderSize, idleTimeoutSeconds, bodyTimeoutSeconds, connections, runBodyBytes,
          runSyncBodyBytes, maxWaitMillis);
    }

    /** The body limits of {@code /run} (and every other route) and of {@code /runsync}. */
    public Options withBodyLimits(long runBytes, long runSyncBytes) {
      return new Options(host, port, maxHeaderSize, idleTimeoutSeconds, bodyTimeoutSeconds, maxConnections, runBytes,
          runSyncBytes, maxWaitMillis);
    }

    public Options withMaxWaitMillis(long millis) {
      return new Options(host, port, maxHeaderSize, idleTimeoutSeconds, bodyTimeoutSeconds, maxConnections, runBodyBytes,
          runSyncBodyBytes, millis);
    }

    private static void positive(String what, long value) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be positive, was " + value);
      }
    }
  }

  private final Vertx vertx;
  private final HttpServer server;

  private RunlineServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /**
   * Starts listening; {@code port} 0 takes a free port (see {@link #port()}).
   *
   * @param metrics the metrics the engine was built with (its {@link dev.runline.JobListener})
   */
  static RunlineServer start(Runline engine, ServerMetrics metrics, Options options) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
    try {
      metrics.bind(engine);
      HttpServerOptions http = new HttpServerOptions()
          .setHost(options.host())
          .setPort(options.port())
          .setMaxHeaderSize(options.maxHeaderSize())
          .setIdleTimeout(options.idleTimeoutSeconds())
          .setIdleTimeoutUnit(TimeUnit.SECONDS)
          .setTcpNoDelay(true)
          .setHttp2ClearTextEnabled(false);
      AtomicInteger connections = new AtomicInteger();
      HttpServer server = vertx.createHttpServer(http)
          .connectionHandler(connection -> {
            if (connections.incrementAndGet() > options.maxConnections()) {
              metrics.refused(503);
              connection.close();
            }
            connection.closeHandler(v -> connections.decrementAndGet());
          })
          .requestHandler(new HttpApi(engine, metrics, options).router(vertx))
          .invalidRequestHandler(HttpApi::invalidRequest)
          .exceptionHandler(e -> LOG.debug("connection error: {}", e.toString()))
          .listen()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new RunlineServer(vertx, server);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      vertx.close();
      throw new IllegalStateException("interrupted while starting the HTTP server", e);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("the HTTP server could not listen on " + options.host() + ":" + options.port()
          + ": " + cause.getMessage(), cause);
    }
  }

  /** The port it listens on. */
  public int port() {
    return server.actualPort();
  }

  /** Stops accepting connections and closes open ones. */
  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the HTTP server did not stop cleanly: " + e.getMessage(), e);
    }
  }
}
