package dev.runline.server;

import dev.runline.Runline;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server (Vert.x Web on Netty) answering the endpoint API for one engine. It
 * does not own the engine: close the server, then the engine.
 */
public final class RunlineServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunlineServer.class);
  private final Vertx vertx;
  private final int port;
  /** What the server attached to the engine (its listeners, the dashboard), undone at close. */
  private final List<AutoCloseable> attached = new ArrayList<>();

  private RunlineServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /**
   * Serves the endpoint API, {@code /metrics} and (unless {@link ServerOptions#dashboard()} is
   * off) the dashboard for an engine the host application built and owns, e.g.
   *
   * <pre>{@code
   * Runline engine = Runline.builder().apiKeys(key).endpoint(...).build();
   * RunlineServer server = RunlineServer.start(engine, ServerOptions.of("127.0.0.1", 8080));
   * // ... server.close(); engine.close();
   * }</pre>
   *
   * <p>The server's metrics and the dashboard's figures follow the engine's jobs from now on
   * ({@link dev.runline.Inspection#listen}); closing the server stops them, and leaves the engine running.
   *
   * @throws IllegalStateException when the server cannot listen (the message says why)
   */
  public static RunlineServer start(Runline engine, ServerOptions options) {
    ServerMetrics metrics = new ServerMetrics();
    AutoCloseable listening = engine.inspect().listen(metrics);
    RunlineServer server;
    try {
      server = start(engine, metrics, options);
    } catch (RuntimeException e) {
      closeQuietly(listening);
      throw e;
    }
    server.attached.add(listening);
    return server;
  }

  /**
   * Starts listening; {@code port} 0 takes a free port (see {@link #port()}).
   *
   * <p>One HTTP server per event loop, all on the same port: Vert.x hands each new connection
   * to the next of them, so the connections, and the work of reading, routing and answering
   * their requests, are spread over {@link ServerOptions#eventLoops()} threads. The first listens on
   * the port asked for, the others on the port it got.
   *
   * @param metrics the metrics the engine was built with (its {@link dev.runline.JobListener})
   */
  static RunlineServer start(Runline engine, ServerMetrics metrics, ServerOptions options) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
    Dashboard dashboard = null;
    try {
      metrics.bind(engine);
      dashboard = options.dashboard() ? new Dashboard(engine, vertx) : null;
      HttpServerOptions http = new HttpServerOptions()
          .setHost(options.host())
          .setPort(options.port())
          .setMaxHeaderSize(options.maxHeaderSize())
          .setIdleTimeout(options.idleTimeoutSeconds())
          .setIdleTimeoutUnit(TimeUnit.SECONDS)
          .setTcpNoDelay(true)
          .setHttp2ClearTextEnabled(false);
      if (options.tlsCert() != null) {
        // HTTPS only: workers and clients on other machines send keys over this connection.
        http.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(options.tlsCert().toString())
            .setKeyPath(options.tlsKey().toString()));
      }
      AtomicInteger connections = new AtomicInteger();
      Router router = new HttpApi(engine, metrics, options, dashboard).router(vertx);
      int port = listenFirst(vertx, http, options, () -> new Listener(http, router, connections,
          options.maxConnections(), metrics));
      if (options.eventLoops() > 1) {
        await(vertx.deployVerticle(() -> new Listener(http, router, connections, options.maxConnections(), metrics),
            new DeploymentOptions().setInstances(options.eventLoops() - 1)));
      }
      RunlineServer server = new RunlineServer(vertx, port);
      if (dashboard != null) {
        server.attached.add(dashboard);
      }
      return server;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(dashboard);
      vertx.close();
      throw new IllegalStateException("interrupted while starting the HTTP server", e);
    } catch (ExecutionException | TimeoutException e) {
      closeQuietly(dashboard);
      vertx.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("the HTTP server could not listen on " + options.host() + ":" + options.port()
          + ": " + cause.getMessage(), cause);
    }
  }

  /**
   * Deploys the first listener and returns its port. Vert.x shares a port among its servers
   * only when it is named, so port 0 is first resolved to a free port; should another process
   * take that port before the listener binds it, another free port is tried.
   */
  private static int listenFirst(Vertx vertx, HttpServerOptions http, ServerOptions options, Supplier<Listener> listener)
      throws InterruptedException, ExecutionException, TimeoutException {
    for (int attempt = 1; ; attempt++) {
      if (options.port() == 0) {
        http.setPort(freePort(options.host()));
      }
      try {
        await(vertx.deployVerticle(listener.get()));
        return http.getPort();
      } catch (ExecutionException e) {
        if (options.port() != 0 || attempt == 5 || !(e.getCause() instanceof BindException)) {
          throw e;
        }
      }
    }
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + host + ": " + e.getMessage(), e);
    }
  }

  private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** One HTTP server, on the event loop of the context it is deployed on. */
  private static final class Listener extends VerticleBase {
    private final HttpServerOptions http;
    private final Router router;
    private final AtomicInteger connections;
    private final int maxConnections;
    private final ServerMetrics metrics;

    Listener(HttpServerOptions http, Router router, AtomicInteger connections, int maxConnections,
        ServerMetrics metrics) {
      this.http = http;
      this.router = router;
      this.connections = connections;
      this.maxConnections = maxConnections;
      this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(http)
          .connectionHandler(connection -> {
            if (connections.incrementAndGet() > maxConnections) {
              metrics.refused(503);
              connection.close();
            }
            connection.closeHandler(v -> connections.decrementAndGet());
          })
          .requestHandler(router)
          .invalidRequestHandler(HttpApi::invalidRequest)
          .exceptionHandler(e -> LOG.debug("connection error: {}", e.toString()))
          .listen();
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  private static void closeQuietly(AutoCloseable attached) {
    if (attached == null) {
      return;
    }
    try {
      attached.close();
    } catch (Exception e) {
      LOG.debug("detaching from the engine failed", e);
    }
  }

  /** Stops accepting connections and closes open ones; the engine goes on. */
  @Override
  public void close() {
    attached.forEach(RunlineServer::closeQuietly);
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the HTTP server did not stop cleanly: " + e.getMessage(), e);
    }
  }
}
