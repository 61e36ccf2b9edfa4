package dev.runline.server;

import dev.runline.Runline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
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
   * Settings of the HTTP listener.
   *
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
      positive("maxHeaderSize", maxHeaderSize);
      positive("idleTimeoutSeconds", idleTimeoutSeconds);
      positive("bodyTimeoutSeconds", bodyTimeoutSeconds);
      positive("maxConnections", maxConnections);
      positive("runBodyBytes", runBodyBytes);
      positive("runSyncBodyBytes", runSyncBodyBytes);
      positive("maxWaitMillis", maxWaitMillis);
    }

    public Options(String host, int port, int maxHeaderSize, int idleTimeoutSeconds) {
      this(host, port, maxHeaderSize, idleTimeoutSeconds, 30, 10_000, HttpApi.RUN_BODY_LIMIT,
          HttpApi.RUNSYNC_BODY_LIMIT, HttpApi.MAX_WAIT);
    }

    /** The defaults: 16 KB of headers, 120 s idle, 30 s to send a body, 10,000 connections, 10 / 20 MB bodies, 300 s waits. */
    public static Options of(String host, int port) {
      return new Options(host, port, 16 * 1024, 120);
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
