package dev.runline.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.Endpoint;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A server on an ephemeral loopback port, and a client for it. */
final class HttpFixture implements AutoCloseable {
  static final String KEY = "http-test-key-1";
  static final String OTHER_KEY = "http-test-key-2";

  final CountDownLatch gate = new CountDownLatch(1);
  final Runline engine;
  final RunlineServer server;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  HttpFixture() {
    this(builder -> { });
  }

  HttpFixture(java.util.function.Consumer<RunlineBuilder> customize) {
    ServerMetrics metrics = new ServerMetrics();
    RunlineBuilder builder = Runline.builder()
        .apiKeys(KEY, OTHER_KEY)
        .listener(metrics)
        .shutdownTimeout(Duration.ofSeconds(2))
        .endpoint(Endpoint.builder("echo").handler(DemoHandlers.ECHO).workers(2).build())
        .endpoint(Endpoint.builder("tokens").streamingHandler(DemoHandlers.TOKENS).workers(2).build())
        .endpoint(Endpoint.builder("sleep").handler(DemoHandlers.SLEEP).workers(2).build())
        .endpoint(Endpoint.builder("fail").handler(DemoHandlers.FAIL).workers(1).build())
        .endpoint(Endpoint.builder("gated").workers(1).handler(job -> {
          gate.await(30, TimeUnit.SECONDS);
          return job.input();
        }).build());
    customize.accept(builder);
    this.engine = builder.build();
    this.server = RunlineServer.start(engine, metrics, RunlineServer.Options.of("127.0.0.1", 0));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEY);
  }

  Reply post(String path, String json) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply send(HttpRequest request) {
    try {
      return Reply.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  CompletableFuture<Reply> sendAsync(HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(Reply::of);
  }

  /** A response: status, headers and the body parsed as JSON (when it is). */
  record Reply(int status, HttpResponse<String> raw, JsonNode json) {
    static Reply of(HttpResponse<String> response) {
      JsonNode json = null;
      try {
        json = JobRequests.MAPPER.readTree(response.body());
      } catch (IOException e) {
        // Not JSON (e.g. server-sent events or metrics): json stays null.
      }
      return new Reply(response.statusCode(), response, json);
    }

    String text(String field) {
      return json.path(field).asText(null);
    }
  }

  @Override
  public void close() {
    gate.countDown();
    server.close();
    engine.close();
  }
}
