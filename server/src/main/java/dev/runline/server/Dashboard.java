package dev.runline.server;

import dev.runline.Caller;
import dev.runline.Runline;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The dashboard at {@code /dashboard/}: static files (the page, its script and style, and the
 * uPlot charting library from its WebJar), served with a Content-Security-Policy that allows
 * only this origin's own scripts and styles; and {@code /dashboard/events}, the endpoints'
 * figures as server-sent events, once a second.
 *
 * <p>The page asks for an API key and keeps it in the tab's session storage; every request it
 * makes sends the key in {@code Authorization}, never in a URL. That is why it reads the event
 * stream with {@code fetch} rather than {@code EventSource}, which cannot send a header. The
 * events carry only what {@code /health} shows every key (endpoint-level figures), and opening
 * the stream passes {@code /health}'s limits on every endpoint for the caller's key; jobs are
 * listed through {@code /requests}, which shows each key only its own.
 */
final class Dashboard implements AutoCloseable {
  static final String PATH = "/dashboard";
  /** Only this origin's files; no inline script or style, no plugin, no framing, no form posted elsewhere. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";
  private static final long TICK_MILLIS = 1000;

  private final Runline engine;
  private final DashboardFigures figures;
  private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
  private final AutoCloseable listening;
  private final Vertx vertx;
  private final long ticker;
  private final AtomicBoolean ticking = new AtomicBoolean();

  /** A page reading the event stream, answered on its own connection's context. */
  private record Viewer(Context context, HttpServerResponse response) {}

  /** Starts keeping the figures of {@code engine}'s endpoints, ticking on {@code vertx}'s timers. */
  Dashboard(Runline engine, Vertx vertx) {
    this.engine = engine;
    this.vertx = vertx;
    this.figures = new DashboardFigures(engine);
    this.listening = engine.inspect().listen(figures);
    figures.tick(System.currentTimeMillis());
    this.ticker = vertx.setPeriodic(TICK_MILLIS, id -> tick());
  }

  /** Adds the dashboard's routes; {@code api} maps refusals to JSON errors as every route's are. */
  void mount(Router router, HttpApi api) {
    router.route(PATH + "*").handler(ctx -> {
      ctx.response()
          .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("X-Frame-Options", "DENY");
      ctx.next();
    });
    // Vert.x matches /dashboard/ to this route too; only the bare path is sent to the folder.
    router.get(PATH).handler(ctx -> {
      if (ctx.request().path().equals(PATH)) {
        ctx.redirect(PATH + "/");
      } else {
        ctx.next();
      }
    });
    api.route(router, PATH + "/events", Set.of(HttpMethod.GET), 0, this::events);
    router.get(PATH + "/vendor/uplot/*").handler(StaticHandler.create(
        "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist").setCachingEnabled(false));
    router.get(PATH + "/*").handler(StaticHandler.create("dev/runline/server/dashboard")
        .setCachingEnabled(false).setIndexPage("index.html"));
  }

  private static String uplotVersion() {
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.properties")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.properties is missing from the jar; rebuild the server module");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("uplot.version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code GET /dashboard/events}: an event {@code snapshot} with every endpoint's 15 minutes
   * of figures, then an event {@code tick} each second with the newest second.
   */
  private void events(RoutingContext ctx) {
    Caller caller = engine.as(HttpApi.apiKey(ctx));
    for (String endpoint : engine.inspect().endpoints()) {
      caller.endpoint(endpoint).health();
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    Viewer viewer = new Viewer(ctx.vertx().getOrCreateContext(), response);
    response.write(event("snapshot", figures.snapshot()));
    viewers.add(viewer);
    response.closeHandler(v -> viewers.remove(viewer));
  }

  /**
   * Closes a second on a worker thread, not the event loop: with a store shared by several
   * nodes, reading the counts is a round trip to it (a wait as long as its timeout while it is
   * out of reach). A tick still running when the next is due makes that one skip.
   */
  private void tick() {
    if (!ticking.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      try {
        figures.tick(System.currentTimeMillis());
        return viewers.isEmpty() ? null : event("tick", figures.latest());
      } finally {
        ticking.set(false);
      }
    }, false).onSuccess(this::send);
  }

  private void send(Buffer event) {
    if (event == null) {
      return;
    }
    for (Viewer viewer : viewers) {
      viewer.context().runOnContext(v -> {
        HttpServerResponse response = viewer.response();
        // A viewer that does not keep up misses a second rather than piling up memory here.
        if (!response.ended() && !response.closed() && !response.writeQueueFull()) {
          response.write(event.copy());
        }
      });
    }
  }

  private static Buffer event(String name, Map<String, Object> data) {
    return Buffer.buffer("event: " + name + "\ndata: ").appendBytes(HttpApi.bytes(data)).appendString("\n\n");
  }

  @Override
  public void close() {
    vertx.cancelTimer(ticker);
    try {
      listening.close();
    } catch (Exception e) {
      throw new IllegalStateException("the dashboard's listener could not be removed", e);
    }
    for (Viewer viewer : viewers) {
      viewer.context().runOnContext(v -> {
        if (!viewer.response().ended() && !viewer.response().closed()) {
          viewer.response().end();
        }
      });
    }
  }
}
