package dev.runline.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.Endpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link TestServer} with a {@code remote} endpoint (named {@value #ENDPOINT}; a lease of
 * {@code leaseTimeout}, takes held {@code takeWait}, at most 3 jobs a batch) and the worker key
 * {@value #WORKER_KEY}, and the requests a worker makes exactly as the service's worker library
 * makes them: the key raw in {@code Authorization}, URL templates that already carry a query
 * string, results as JSON text under {@code application/x-www-form-urlencoded}.
 */
final class RemoteFixture implements AutoCloseable {
  static final String ENDPOINT = "remote";
  static final String WORKER_KEY = "worker-test-key-1";
  static final String KEY = TestServer.KEY;

  final TestServer server;

  RemoteFixture(String leaseTimeout, String takeWait, int maxRedeliveries) {
    this(leaseTimeout, takeWait, maxRedeliveries, ServerOptions.of("127.0.0.1", 0));
  }

  RemoteFixture(String leaseTimeout, String takeWait, int maxRedeliveries, ServerOptions options) {
    this(options.withWorkerKeys(List.of(WORKER_KEY)), endpoint -> endpoint
        .backendSetting("leaseTimeout", leaseTimeout).backendSetting("takeWait", takeWait)
        .backendSetting("maxRedeliveries", maxRedeliveries).backendSetting("maxBatch", 3));
  }

  RemoteFixture(ServerOptions options, Consumer<Endpoint.Builder> settings) {
    Endpoint.Builder remote = Endpoint.builder(ENDPOINT).external().backend("remote");
    settings.accept(remote);
    this.server = TestServer.start(options, builder -> builder.endpoint(remote.build()));
  }

  int port() {
    return server.port();
  }

  /** A job run by the client key; its id. */
  String run(String inputJson) {
    HttpFixture.Reply reply = client("/run", "{\"input\": " + inputJson + "}");
    if (reply.status() != 200) {
      throw new IllegalStateException("run answered " + reply.status() + ": " + reply.raw().body());
    }
    return reply.text("id");
  }

  HttpFixture.Reply client(String route, String json) {
    return server.post("/v2/" + ENDPOINT + route, KEY, json);
  }

  HttpFixture.Reply status(String id) {
    return server.get("/v2/" + ENDPOINT + "/status/" + id, KEY);
  }

  HttpFixture.Reply health() {
    return server.get("/v2/" + ENDPOINT + "/health", KEY);
  }

  HttpRequest.Builder worker(String pathAndQuery) {
    return HttpRequest.newBuilder(server.uri("/v2/" + ENDPOINT + "/" + pathAndQuery)).timeout(Duration.ofSeconds(30))
        .header("Authorization", WORKER_KEY);
  }

  /** {@code GET job-take/{worker}?x=1&job_in_progress=0}, as the library asks. */
  HttpFixture.Reply take(String worker) {
    return server.send(worker("job-take/" + worker + "?x=1&job_in_progress=0").GET().build());
  }

  CompletableFuture<HttpFixture.Reply> takeAsync(String worker) {
    return async(worker("job-take/" + worker + "?x=1&job_in_progress=0").GET().build());
  }

  CompletableFuture<HttpFixture.Reply> stopsAsync(String worker) {
    return async(worker("job-stop/" + worker + "?x=1&job_in_progress=1").GET().build());
  }

  /** {@code POST job-done/{worker}/{job}?x=1&isStream=...} with the library's headers. */
  HttpFixture.Reply done(String worker, String job, boolean isStream, String json) {
    return server.send(formPost("job-done/" + worker + "/" + job + "?x=1&isStream=" + isStream, job, json));
  }

  HttpFixture.Reply chunk(String worker, String job, String json) {
    return server.send(formPost("job-stream/" + worker + "/" + job + "?x=1&isStream=false", job, json));
  }

  HttpFixture.Reply ping(String worker, String query) {
    return server.send(worker("ping/" + worker + "?" + query).GET().build());
  }

  private HttpRequest formPost(String pathAndQuery, String job, String json) {
    return worker(pathAndQuery).header("Content-Type", "application/x-www-form-urlencoded")
        .header("charset", "utf-8").header("X-Request-ID", job)
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  CompletableFuture<HttpFixture.Reply> async(HttpRequest request) {
    return server.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(HttpFixture.Reply::of);
  }

  JsonNode statusBody(String id) {
    return status(id).json();
  }

  @Override
  public void close() {
    server.close();
  }
}
