package dev.runline.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runline.EndpointClient;
import dev.runline.HandOffs;
import dev.runline.Health;
import dev.runline.InvalidRequestException;
import dev.runline.JobStatus;
import dev.runline.RateLimitedException;
import dev.runline.Runline;
import dev.runline.RunlineException;
import dev.runline.StreamListener;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint API over HTTP: every route under {@code /v2/{endpoint_id}/}, mapped 1:1 onto
 * {@link Runline}. Handlers run on the event loop and never block: long polls hold a future,
 * not a thread, and answer on the request's context when it completes.
 */
final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final long RUN_BODY_LIMIT = 10L * 1024 * 1024;
  static final long RUNSYNC_BODY_LIMIT = 20L * 1024 * 1024;
  static final long DEFAULT_RUNSYNC_WAIT = 90_000;
  static final long MIN_RUNSYNC_WAIT = 1_000;
  static final long MAX_WAIT = 300_000;
  static final long DEFAULT_STREAM_WAIT = 10_000;
  static final String JSON = "application/json; charset=utf-8";
  private static final Buffer PING = Buffer.buffer("{\"status\":\"ok\"}");

  private final Runline engine;
  private final ServerMetrics metrics;
  private final ServerOptions options;
  private final RefusalLog refusals = new RefusalLog();
  /** The batch of hand-offs open on this event loop thread, if any. */
  private final ThreadLocal<HandOffs> batchOpen = new ThreadLocal<>();
  private final RequestsApi requests;
  /** The dashboard to serve, or {@code null} when it is off. */
  private final Dashboard dashboard;

  HttpApi(Runline engine, ServerMetrics metrics, ServerOptions options) {
    this(engine, metrics, options, null);
  }

  HttpApi(Runline engine, ServerMetrics metrics, ServerOptions options, Dashboard dashboard) {
    this.engine = engine;
    this.metrics = metrics;
    this.options = options;
    this.requests = new RequestsApi(engine);
    this.dashboard = dashboard;
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    // A client that trickles its body is never idle; it gets a deadline instead.
    BodyDeadlines bodies = new BodyDeadlines(vertx, options.bodyTimeoutSeconds() * 1000L, ctx -> {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      error(ctx, 408, "the request body did not arrive within " + options.bodyTimeoutSeconds() + " s");
      ctx.request().connection().close();
    });
    router.route().handler(ctx -> {
      bodies.watch(ctx);
      ctx.next();
    });
    router.get("/ping").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(PING));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));

    route(router, "/v2/:endpoint/run", Set.of(HttpMethod.POST), options.runBodyBytes(), this::run);
    route(router, "/v2/:endpoint/runsync", Set.of(HttpMethod.POST), options.runSyncBodyBytes(), this::runSync);
    route(router, "/v2/:endpoint/status/:id", Set.of(HttpMethod.GET, HttpMethod.POST), options.runBodyBytes(), this::status);
    route(router, "/v2/:endpoint/status-sync/:id", Set.of(HttpMethod.GET, HttpMethod.POST), options.runBodyBytes(),
        this::statusSync);
    route(router, "/v2/:endpoint/stream/:id", Set.of(HttpMethod.GET, HttpMethod.POST), options.runBodyBytes(), this::stream);
    route(router, "/v2/:endpoint/cancel/:id", Set.of(HttpMethod.POST), options.runBodyBytes(), this::cancel);
    route(router, "/v2/:endpoint/retry/:id", Set.of(HttpMethod.POST), options.runBodyBytes(), this::retry);
    route(router, "/v2/:endpoint/health", Set.of(HttpMethod.GET), options.runBodyBytes(), this::health);
    route(router, "/v2/:endpoint/purge-queue", Set.of(HttpMethod.POST), options.runBodyBytes(), this::purgeQueue);
    new WorkerRoutes(engine, metrics, options).mount(router);
    route(router, "/v2/:endpoint/requests", Set.of(HttpMethod.GET), options.runBodyBytes(), requests::list);
    route(router, "/v2/:endpoint/requests/:id", Set.of(HttpMethod.GET), options.runBodyBytes(), requests::details);
    if (dashboard != null) {
      dashboard.mount(router, this);
    }

    router.route().last().handler(ctx -> error(ctx, 404, "no route " + JobRequests.truncate(ctx.request().method().name())
        + " " + JobRequests.truncate(ctx.request().path()) + "; routes are /v2/{endpoint_id}/run, /runsync, /status/{id}, "
        + "/status-sync/{id}, /stream/{id}, /cancel/{id}, /retry/{id}, /health, /purge-queue, /requests"));
    router.route().failureHandler(this::failed);
    router.uncaughtErrorHandler(this::failed);
    router.errorHandler(400, this::failed);
    router.errorHandler(500, this::failed);
    return router;
  }

  /**
   * Registers a route: a handler per allowed method (a body is read only for POST, so a
   * body-less method never reaches the body parser), then a 405 for any other method.
   */
  void route(Router router, String path, Set<HttpMethod> methods, long bodyLimit,
      Handler<RoutingContext> handler) {
    Handler<RoutingContext> guarded = ctx -> {
      try {
        handler.handle(ctx);
      } catch (RunlineException e) {
        refuse(ctx, e);
      }
    };
    for (HttpMethod method : methods) {
      if (method == HttpMethod.POST) {
        router.route(method, path).handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(guarded);
      } else {
        router.route(method, path).handler(guarded);
      }
    }
    String allow = methods.stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", "));
    router.route(path).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
      error(ctx, 405, "method " + JobRequests.truncate(ctx.request().method().name()) + " is not allowed here; use "
          + allow);
    });
  }

  /**
   * Every failure a route did not answer itself: too large a body (413), a body that could
   * not be read (400), a client that went away (nothing to answer; not worth a log line),
   * and anything else, which is a bug (500, logged with its stack trace, never sent).
   */
  private void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    String path = JobRequests.truncate(ctx.request().path());
    if (ctx.response().ended() || ctx.response().closed() || failure instanceof HttpClosedException) {
      LOG.debug("request on {} ended early: {}", path, String.valueOf(failure));
      return;
    }
    int code = ctx.statusCode();
    if (!decodable(ctx)) {
      error(ctx, 400, "the request's path or query has a malformed %-escape");
    } else if (code == 413) {
      error(ctx, 413, "the request body is larger than this route accepts ("
          + (path.endsWith("/runsync") ? options.runSyncBodyBytes() : options.runBodyBytes()) / (1024 * 1024) + " MB)");
    } else if (code >= 400 && code < 500) {
      error(ctx, code, "the request could not be read"
          + (failure == null || failure.getMessage() == null ? "" : ": " + JobRequests.truncate(failure.getMessage())));
    } else if (failure instanceof RunlineException refusal) {
      refuse(ctx, refusal);
    } else if (failure instanceof DecoderException || failure instanceof IllegalArgumentException
        || failure instanceof NumberFormatException) {
      error(ctx, 400, "the request could not be read as HTTP/1.1");
    } else {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), path, failure);
      error(ctx, 500, "internal error; the server log has the details");
    }
  }

  /** Whether the path and query decode (Vert.x fails such a request before any handler). */
  private static boolean decodable(RoutingContext ctx) {
    try {
      ctx.normalizedPath();
      ctx.queryParams();
      return true;
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /**
   * Requests that fail HTTP decoding before any route (a bad request line, header or
   * Content-Length, an unsupported version): a 4xx with the JSON error body like every
   * other refusal, then the connection closes.
   */
  static void invalidRequest(HttpServerRequest request) {
    int code = 400;
    String message = "the request is not valid HTTP/1.1";
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      code = 414;
      message = "the request line is too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      code = 431;
      message = "the request headers are too large";
    }
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(HttpHeaders.CONNECTION, "close")
        .end(Buffer.buffer(bytes(Map.of("error", message))))
        .onComplete(done -> request.connection().close());
  }

  // ---- routes ------------------------------------------------------------------------

  /**
   * Holds the hand-offs of the jobs this event loop admits until it has handled the requests
   * it read together: one wake-up of a parked worker then serves them all. The batch closes
   * in a task that runs after the event loop's current I/O.
   */
  private void batchHandOffs(RoutingContext ctx) {
    if (batchOpen.get() == null) {
      HandOffs batch = engine.batchHandOffs();
      batchOpen.set(batch);
      ctx.vertx().getOrCreateContext().runOnContext(v -> {
        batchOpen.remove();
        batch.close();
      });
    }
  }

  private void run(RoutingContext ctx) {
    batchHandOffs(ctx);
    JobStatus queued = client(ctx).run(JobRequests.parse(body(ctx)));
    json(ctx, 200, queued);
  }

  private void runSync(RoutingContext ctx) {
    long wait = clamp(JobRequests.queryMillis("wait", ctx.request().getParam("wait"), DEFAULT_RUNSYNC_WAIT),
        MIN_RUNSYNC_WAIT, options.maxWaitMillis());
    batchHandOffs(ctx);
    reply(ctx, client(ctx).runSync(JobRequests.parse(body(ctx)), Duration.ofMillis(wait)));
  }

  private void status(RoutingContext ctx) {
    String ttlParam = ctx.request().getParam("ttl");
    Duration ttl = null;
    if (ttlParam != null) {
      long ttlMillis = JobRequests.queryMillis("ttl", ttlParam, 0);
      if (ttlMillis < 1) {
        throw new InvalidRequestException("ttl must be at least 1 millisecond, was " + ttlMillis);
      }
      ttl = Duration.ofMillis(ttlMillis);
    }
    json(ctx, 200, client(ctx).status(ctx.pathParam("id"), ttl));
  }

  private void statusSync(RoutingContext ctx) {
    long wait = clamp(JobRequests.queryMillis("wait", ctx.request().getParam("wait"), DEFAULT_RUNSYNC_WAIT),
        0, options.maxWaitMillis());
    reply(ctx, client(ctx).statusSync(ctx.pathParam("id"), Duration.ofMillis(wait)));
  }

  private void stream(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
      serverSentEvents(ctx);
      return;
    }
    long wait = clamp(JobRequests.queryMillis("wait", ctx.request().getParam("wait"), DEFAULT_STREAM_WAIT),
        0, options.maxWaitMillis());
    reply(ctx, client(ctx).stream(ctx.pathParam("id"), Duration.ofMillis(wait)));
  }

  /** Each chunk as an event the moment it is produced, then an event carrying the final status body. */
  private void serverSentEvents(RoutingContext ctx) {
    Context context = ctx.vertx().getOrCreateContext();
    HttpServerResponse response = ctx.response();
    AutoCloseable subscription = client(ctx).subscribe(ctx.pathParam("id"), new StreamListener() {
      private boolean started;

      private void begin() {
        if (!started) {
          started = true;
          response.setChunked(true)
              .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        }
      }

      @Override
      public void onChunk(Object chunk) {
        Buffer event = Buffer.buffer("data: ").appendBytes(bytes(Map.of("output", chunk))).appendString("\n\n");
        context.runOnContext(v -> {
          if (!response.ended() && !response.closed()) {
            begin();
            response.write(event);
          }
        });
      }

      @Override
      public void onTerminal(JobStatus status) {
        Buffer event = Buffer.buffer("event: status\ndata: ").appendBytes(bytes(status)).appendString("\n\n");
        context.runOnContext(v -> {
          if (!response.ended() && !response.closed()) {
            begin();
            response.end(event);
          }
        });
      }
    });
    response.closeHandler(v -> {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("closing a stream subscription failed", e);
      }
    });
  }

  private void cancel(RoutingContext ctx) {
    json(ctx, 200, client(ctx).cancel(ctx.pathParam("id")));
  }

  private void retry(RoutingContext ctx) {
    json(ctx, 200, client(ctx).retry(ctx.pathParam("id")));
  }

  private void health(RoutingContext ctx) {
    Health health = client(ctx).health();
    json(ctx, 200, health);
  }

  private void purgeQueue(RoutingContext ctx) {
    json(ctx, 200, client(ctx).purgeQueue());
  }

  // ---- plumbing ----------------------------------------------------------------------

  /**
   * The API key from {@code Authorization}: {@code Bearer <key>}, or the bare key as the
   * service's own examples send it (some even send {@code Bearer Bearer <key>}).
   */
  static String apiKey(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null) {
      return null;
    }
    String key = header.trim();
    while (key.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = key.substring(7).trim();
    }
    return key;
  }

  /** The routes of the path's endpoint for the request's key: refuses a bad key, then an unknown endpoint. */
  private EndpointClient client(RoutingContext ctx) {
    return engine.as(apiKey(ctx)).endpoint(ctx.pathParam("endpoint"));
  }

  private static byte[] body(RoutingContext ctx) {
    RequestBody body = ctx.body();
    return body == null || body.buffer() == null ? null : body.buffer().getBytes();
  }

  private static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }

  /** Answers with the future's value on the request's context once it completes. */
  private <T> void reply(RoutingContext ctx, CompletableFuture<T> future) {
    if (future.isDone()) {
      json(ctx, 200, future.join());
      return;
    }
    // Straight onto the request's event loop (execute, not runOnContext: the answer needs no
    // dispatch of its own); a failure in writing it ends the request as any route's would.
    ContextInternal context = (ContextInternal) ctx.vertx().getOrCreateContext();
    future.whenComplete((value, failure) -> context.execute(() -> {
      if (ctx.response().ended() || ctx.response().closed()) {
        return;
      }
      try {
        if (failure != null) {
          ctx.fail(500, failure);
        } else {
          json(ctx, 200, value);
        }
      } catch (RuntimeException e) {
        ctx.fail(500, e);
      }
    }));
  }

  private void refuse(RoutingContext ctx, RunlineException e) {
    int code = statusOf(e.reason());
    if (e instanceof RateLimitedException limited) {
      long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
      ctx.response().putHeader("Retry-After", Long.toString(seconds));
    }
    metrics.refused(code);
    refusals.note(code, e.getMessage());
    error(ctx, code, e.getMessage());
  }

  static int statusOf(RunlineException.Reason reason) {
    switch (reason) {
      case UNAUTHORIZED:
        return 401;
      case NOT_FOUND:
        return 404;
      case INVALID_REQUEST:
        return 400;
      case RATE_LIMITED:
        return 429;
      case QUEUE_FULL:
      case ENGINE_CLOSED:
      case STORE_UNAVAILABLE:
        return 503;
      default:
        return 500;
    }
  }

  static void json(RoutingContext ctx, int code, Object value) {
    ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(bytes(value)));
  }

  static void error(RoutingContext ctx, int code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(Buffer.buffer(bytes(Map.of("error", message))));
  }

  static byte[] bytes(Object value) {
    try {
      return JobRequests.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a response could not be written as JSON", e);
    }
  }
}
