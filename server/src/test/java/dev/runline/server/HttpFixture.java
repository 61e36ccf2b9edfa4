package dev.runline.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One {@link TestServer} with the default options, or several sharing one job store (the
 * requests then go to each in turn), and the request helpers the route tests use.
 */
final class HttpFixture implements AutoCloseable {
  static final String KEY = TestServer.KEY;
  static final String OTHER_KEY = TestServer.OTHER_KEY;

  private final List<TestServer> tests = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  final CountDownLatch gate = new CountDownLatch(1);
  /** The first server's engine (with a shared store, every node's engine answers for every job). */
  final Runline engine;
  final RunlineServer server;
  final HttpClient client;

  HttpFixture() {
    this(builder -> { });
  }

  HttpFixture(Consumer<RunlineBuilder> customize) {
    this(List.of(customize));
  }

  /** One server per element, each built with it: several when they make the engines share a store. */
  HttpFixture(List<Consumer<RunlineBuilder>> nodes) {
    try {
      for (Consumer<RunlineBuilder> customize : nodes) {
        tests.add(TestServer.start(ServerOptions.of("127.0.0.1", 0), gate, customize));
      }
    } catch (RuntimeException | Error e) {
      tests.forEach(TestServer::close);
      throw e;
    }
    this.engine = tests.get(0).engine;
    this.server = tests.get(0).server;
    this.client = tests.get(0).client;
  }

  /** The first server under test, for calls with another key. */
  TestServer test() {
    return tests.get(0);
  }

  /** The servers, the first one first. */
  List<RunlineServer> servers() {
    return tests.stream().map(t -> t.server).toList();
  }

  /** {@code path} on the next server in turn. */
  URI uri(String path) {
    RunlineServer target = tests.get(Math.floorMod(next.getAndIncrement(), tests.size())).server;
    return URI.create("http://127.0.0.1:" + target.port() + path);
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
    tests.forEach(TestServer::close);
  }
}
