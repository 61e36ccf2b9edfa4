package dev.runline.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.InvalidRequestException;
import dev.runline.NotFoundException;
import dev.runline.Runline;
import dev.runline.RunlineException;
import dev.runline.UnauthorizedException;
import dev.runline.remote.RemoteWorkers;
import dev.runline.remote.ReportAnswer;
import dev.runline.remote.WorkerJob;
import dev.runline.remote.WorkerResult;
import dev.runline.remote.WorkerThrottledException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The routes that worker processes of {@code remote} endpoints call, with the service's worker
 * protocol as its worker library speaks it, under {@code /v2/{endpoint_id}/}:
 *
 * <ul>
 *   <li>{@code GET job-take/{workerId}}: one job {@code {"id", "input"}}, or 204 when none came
 *       within the endpoint's {@code takeWait} (a long poll held by a future, not a thread);
 *   <li>{@code GET job-take-batch/{workerId}?batch_size=n}: a list of up to n jobs, or 204;
 *   <li>{@code GET job-stop/{workerId}}: {@code {"jobsToStop": [...]}} once a job the worker
 *       runs was cancelled, timed out, expired or taken back; 204 when none within {@code takeWait};
 *   <li>{@code POST job-done/{workerId}/{jobId}?isStream=}: a result, or a progress update
 *       ({@code "status": "IN_PROGRESS"});
 *   <li>{@code POST job-stream/{workerId}/{jobId}}: a stream chunk {@code {"output": chunk}};
 *   <li>{@code GET ping/{workerId}?job_id=a,b}: a heartbeat renewing the leases of those jobs.
 * </ul>
 *
 * <p>Workers send a worker key, raw in {@code Authorization} (the library sends no
 * {@code Bearer}; one is tolerated); client keys are refused here, as worker keys are on the
 * client routes. Bodies are JSON whatever their content type says (the library sends JSON text
 * as {@code application/x-www-form-urlencoded}); query parameters the routes do not use (the
 * library's {@code job_in_progress}, {@code runpod_version}, or whatever a URL template
 * carries) are ignored.
 */
final class WorkerRoutes {
  private static final String BODY = "runline.worker.body";
  private final Runline engine;
  private final ServerMetrics metrics;
  private final ServerOptions options;
  private final WorkerKeys keys;

  WorkerRoutes(Runline engine, ServerMetrics metrics, ServerOptions options) {
    this.engine = engine;
    this.metrics = metrics;
    this.options = options;
    this.keys = new WorkerKeys(options.workerKeys());
  }

  /** Adds the worker routes to {@code router}. */
  void mount(Router router) {
    route(router, HttpMethod.GET, "/v2/:endpoint/job-take/:worker", ctx -> take(ctx, false));
    route(router, HttpMethod.GET, "/v2/:endpoint/job-take-batch/:worker", ctx -> take(ctx, true));
    route(router, HttpMethod.GET, "/v2/:endpoint/job-stop/:worker", this::stop);
    route(router, HttpMethod.POST, "/v2/:endpoint/job-done/:worker/:job", this::done);
    route(router, HttpMethod.POST, "/v2/:endpoint/job-stream/:worker/:job", this::streamed);
    route(router, HttpMethod.GET, "/v2/:endpoint/ping/:worker", this::ping);
  }

  private void route(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
    Handler<RoutingContext> guarded = ctx -> {
      try {
        handler.handle(ctx);
      } catch (RunlineException e) {
        refuse(ctx, HttpApi.statusOf(e.reason()), e.getMessage());
      } catch (WorkerThrottledException e) {
        long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        refuse(ctx, 429, e.getMessage());
      } catch (IllegalArgumentException e) {
        refuse(ctx, 400, e.getMessage());
      }
    };
    if (method == HttpMethod.POST) {
      router.route(method, path).handler(this::readBody).handler(guarded);
    } else {
      router.route(method, path).handler(guarded);
    }
    router.route(path).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, method.name());
      HttpApi.error(ctx, 405, "method " + JobRequests.truncate(ctx.request().method().name())
          + " is not allowed here; use " + method.name());
    });
  }

  /**
   * Reads a result's body as it is, up to the {@code /runsync} body limit. Not Vert.x Web's body
   * handler: it decodes a form content type as a form, and the library's JSON text under
   * {@code application/x-www-form-urlencoded} is not one ({@code "100%"} is no %-escape).
   */
  private void readBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long limit = options.runSyncBodyBytes();
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        refused[0] = true;
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        refuse(ctx, 413, "the request body is larger than this route accepts (" + limit / (1024 * 1024) + " MB)");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        ctx.put(BODY, body);
        ctx.next();
      }
    });
    request.resume();
  }

  // ---- routes ------------------------------------------------------------------------

  private void take(RoutingContext ctx, boolean batch) {
    RemoteWorkers workers = workers(ctx);
    int size = batch ? batchSize(ctx.request().getParam("batch_size")) : 1;
    CompletableFuture<List<WorkerJob>> jobs = workers.take(ctx.pathParam("worker"), size);
    answerWhenDone(ctx, jobs, given -> {
      if (given.isEmpty()) {
        ctx.response().setStatusCode(204).end();
      } else if (batch) {
        json(ctx, 200, given.stream().map(WorkerRoutes::jobObject).toList());
      } else {
        json(ctx, 200, jobObject(given.get(0)));
      }
    });
  }

  private void stop(RoutingContext ctx) {
    CompletableFuture<List<String>> ids = workers(ctx).stopSignals(ctx.pathParam("worker"));
    answerWhenDone(ctx, ids, toStop -> {
      if (toStop.isEmpty()) {
        ctx.response().setStatusCode(204).end();
      } else {
        json(ctx, 200, Map.of("jobsToStop", toStop));
      }
    });
  }

  private void done(RoutingContext ctx) {
    RemoteWorkers workers = workers(ctx);
    ObjectNode body = jsonObject(ctx, "job-done", "{\"output\": ...} or {\"error\": \"...\"}");
    boolean progress = "IN_PROGRESS".equals(body.path("status").asText(null));
    Object output = plain(body.get("output"));
    WorkerResult result;
    if (progress) {
      result = WorkerResult.progress(output);
    } else {
      JsonNode error = body.get("error");
      String why = error == null || error.isNull() ? null : error.isTextual() ? error.asText() : error.toString();
      boolean stream = "true".equalsIgnoreCase(ctx.request().getParam("isStream"));
      result = WorkerResult.end(output, why, stream, body.path("stopPod").asBoolean(false));
    }
    answer(ctx, workers.report(ctx.pathParam("worker"), ctx.pathParam("job"), result));
  }

  private void streamed(RoutingContext ctx) {
    RemoteWorkers workers = workers(ctx);
    ObjectNode body = jsonObject(ctx, "job-stream", "{\"output\": <chunk>}");
    if (!body.has("output") && body.hasNonNull("error")) {
      // A generator that raised: the error ends the job, wherever the worker sent it.
      JsonNode error = body.get("error");
      answer(ctx, workers.report(ctx.pathParam("worker"), ctx.pathParam("job"),
          WorkerResult.end(null, error.isTextual() ? error.asText() : error.toString(), true, false)));
      return;
    }
    if (!body.has("output")) {
      throw new InvalidRequestException("the body of job-stream must be {\"output\": <chunk>}; it has no 'output'");
    }
    answer(ctx, workers.streamChunk(ctx.pathParam("worker"), ctx.pathParam("job"), plain(body.get("output"))));
  }

  private void ping(RoutingContext ctx) {
    RemoteWorkers workers = workers(ctx);
    List<String> jobIds = new ArrayList<>();
    // The library sends one comma-separated job_id; a list sent as repeated parameters works too.
    for (String value : ctx.queryParam("job_id")) {
      for (String id : value.split(",")) {
        if (!id.isBlank() && !id.equals("None")) {
          jobIds.add(id.trim());
        }
      }
    }
    String unhealthy = null;
    if ("unhealthy".equalsIgnoreCase(ctx.request().getParam("status"))) {
      String reason = ctx.request().getParam("reason");
      String check = ctx.request().getParam("check");
      unhealthy = reason != null ? reason : check != null ? "check " + check + " failed" : "reported unhealthy";
    }
    workers.ping(ctx.pathParam("worker"), jobIds, unhealthy);
    json(ctx, 200, Map.of("status", "ok"));
  }

  // ---- plumbing ----------------------------------------------------------------------

  /** The remote backend of the path's endpoint, for a request with a worker key. */
  private RemoteWorkers workers(RoutingContext ctx) {
    if (keys.isEmpty()) {
      throw new UnauthorizedException("this server has no worker keys, so no worker may take jobs; start it with "
          + "--worker-key KEY (or RUNLINE_WORKER_KEYS, or workerKeys in the configuration file) and give the "
          + "workers that key as RUNPOD_AI_API_KEY");
    }
    if (!keys.accepts(HttpApi.apiKey(ctx))) {
      throw new UnauthorizedException("a worker key is required: send it raw in 'Authorization' (the worker library "
          + "sends RUNPOD_AI_API_KEY); a client API key cannot take jobs");
    }
    String endpoint = ctx.pathParam("endpoint");
    return engine.inspect().backend(endpoint, RemoteWorkers.class).orElseThrow(() -> new NotFoundException(
        "endpoint '" + JobRequests.truncate(endpoint) + "' is not served by remote workers (its backend runs its "
            + "jobs here); worker routes are only for endpoints with backend: remote"));
  }

  private static int batchSize(String value) {
    if (value == null) {
      return 1;
    }
    try {
      int size = Integer.parseInt(value.trim());
      if (size >= 1) {
        return size;
      }
    } catch (NumberFormatException e) {
      // Answered below, with the value.
    }
    throw new InvalidRequestException("batch_size must be a whole number of at least 1, was '"
        + JobRequests.truncate(value) + "'");
  }

  private static Map<String, Object> jobObject(WorkerJob job) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("id", job.id());
    object.put("input", job.input());
    if (job.s3Config() != null) {
      object.put("s3Config", job.s3Config());
    }
    return object;
  }

  private static ObjectNode jsonObject(RoutingContext ctx, String route, String shape) {
    Buffer body = ctx.get(BODY);
    byte[] bytes = body == null ? null : body.getBytes();
    if (bytes == null || bytes.length == 0) {
      throw new InvalidRequestException("the body of " + route + " is empty; send JSON like " + shape);
    }
    JsonNode root = JobRequests.readTree(bytes);
    if (!(root instanceof ObjectNode object)) {
      throw new InvalidRequestException("the body of " + route + " must be a JSON object like " + shape + ", was "
          + root.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return object;
  }

  private static Object plain(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return JobRequests.MAPPER.treeToValue(node, Object.class);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("unreadable request body: " + e.getOriginalMessage());
    }
  }

  /** A result acknowledged (200, also when ignored) or refused (409: the worker does not hold the job). */
  private void answer(RoutingContext ctx, ReportAnswer answer) {
    if (answer.kind() == ReportAnswer.Kind.REFUSED) {
      refuse(ctx, 409, answer.detail());
      return;
    }
    json(ctx, 200, Map.of("status", answer.kind() == ReportAnswer.Kind.ACCEPTED ? "accepted" : "ignored",
        "detail", answer.detail()));
  }

  /**
   * Answers once the long poll's future completes, on the request's event loop; a worker that
   * hangs up gives up its wait (a job handed to it meanwhile is offered again by the backend).
   */
  private static <T> void answerWhenDone(RoutingContext ctx, CompletableFuture<T> future, Consumer<T> write) {
    if (future.isDone()) {
      write.accept(future.join());
      return;
    }
    ctx.response().closeHandler(v -> future.cancel(false));
    ContextInternal context = (ContextInternal) ctx.vertx().getOrCreateContext();
    future.whenComplete((value, failure) -> context.execute(() -> {
      if (failure != null || ctx.response().ended() || ctx.response().closed()) {
        return;
      }
      try {
        write.accept(value);
      } catch (RuntimeException e) {
        ctx.fail(500, e);
      }
    }));
  }

  private void refuse(RoutingContext ctx, int code, String message) {
    metrics.refused(code);
    HttpApi.error(ctx, code, message);
  }

  private static void json(RoutingContext ctx, int code, Object value) {
    ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, HttpApi.JSON)
        .end(Buffer.buffer(HttpApi.bytes(value)));
  }
}
