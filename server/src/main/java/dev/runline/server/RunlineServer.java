package dev.runline.server;

import dev.runline.Runline;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server (Vert.x Web on Netty) answering the endpoint API for one engine. It
 * does not own the engine: close the server, then the engine.
 */
public final class RunlineServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunlineServer.class);
  /** Settings of the HTTP listener. */
  public record Options(String host, int port, int maxHeaderSize, int idleTimeoutSeconds) {
    public static Options of(String host, int port) {
      return new Options(host, port, 16 * 1024, 120);
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
      HttpServer server = vertx.createHttpServer(http)
          .requestHandler(new HttpApi(engine, metrics).router(vertx))
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
