package dev.runline.server;

import dev.runline.Endpoint;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server on an ephemeral loopback port with chosen {@link ServerOptions} (header
 * size, idle timeout), the demo endpoints plus {@code gated} (holds each job until
 * {@link #gate} opens) and {@code open} (the echo handler with every limit off), and the
 * two keys of {@link HttpFixture}. The engine is built with a {@link ServerMetrics}
 * listener, as {@link Main} builds it.
 */
final class TestServer implements AutoCloseable {
  static final String KEY = "http-test-key-1";
  static final String OTHER_KEY = "http-test-key-2";

  final CountDownLatch gate;
  final Runline engine;
  final RunlineServer server;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(ServerOptions options, CountDownLatch gate, Consumer<RunlineBuilder> customize) {
    this.gate = gate;
    ServerMetrics metrics = new ServerMetrics();
    RunlineBuilder builder = Runline.builder()
        .apiKeys(KEY, OTHER_KEY)
        .listener(metrics)
        .shutdownTimeout(Duration.ofSeconds(2))
        .endpoint(Endpoint.builder("echo").handler(DemoHandlers.ECHO).workers(2).build())
        .endpoint(Endpoint.builder("open").handler(DemoHandlers.ECHO).workers(2).unlimited().build())
        .endpoint(Endpoint.builder("tokens").streamingHandler(DemoHandlers.TOKENS).workers(2).build())
        .endpoint(Endpoint.builder("sleep").handler(DemoHandlers.SLEEP).workers(2).build())
        .endpoint(Endpoint.builder("fail").handler(DemoHandlers.FAIL).workers(1).build())
        .endpoint(Endpoint.builder("gated").workers(1).handler(job -> {
          gate.await(30, TimeUnit.SECONDS);
          return job.input();
        }).build());
    customize.accept(builder);
    this.engine = builder.build();
    try {
      this.server = RunlineServer.start(engine, metrics, options);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /** The default options (16 KB of headers, 120 s idle timeout). */
  static TestServer start() {
    return start(ServerOptions.of("127.0.0.1", 0), b -> { });
  }

  static TestServer start(ServerOptions options) {
    return start(options, b -> { });
  }

  static TestServer start(ServerOptions options, Consumer<RunlineBuilder> customize) {
    return new TestServer(options, new CountDownLatch(1), customize);
  }

  /** A server whose {@code gated} endpoint waits on {@code gate}, which several servers may share. */
  static TestServer start(ServerOptions options, CountDownLatch gate, Consumer<RunlineBuilder> customize) {
    return new TestServer(options, gate, customize);
  }

  int port() {
    return server.port();
  }

  URI uri(String path) {
    return calls().uri(path);
  }

  Calls calls() {
    return new Calls(port(), client);
  }

  HttpRequest.Builder request(String path, String key) {
    return calls().request(path, key);
  }

  HttpFixture.Reply get(String path, String key) {
    return calls().get(path, key);
  }

  HttpFixture.Reply post(String path, String key, String json) {
    return calls().post(path, key, json);
  }

  HttpFixture.Reply send(HttpRequest request) {
    return calls().send(request);
  }

  /** Plain calls to a server on 127.0.0.1:{@code port}, with a key (or none). */
  record Calls(int port, HttpClient client) {
    Calls(int port) {
      this(port, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder request(String path, String key) {
      HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
      return key == null ? builder : builder.header("Authorization", "Bearer " + key);
    }

    HttpFixture.Reply get(String path, String key) {
      return send(request(path, key).GET().build());
    }

    HttpFixture.Reply post(String path, String key, String json) {
      return send(request(path, key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpFixture.Reply send(HttpRequest request) {
      try {
        return HttpFixture.Reply.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    gate.countDown();
    try {
      server.close();
    } finally {
      engine.close();
    }
  }
}
