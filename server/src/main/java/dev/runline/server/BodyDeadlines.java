package dev.runline.server;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The deadline for a request's body to arrive after its headers, kept per event loop: each
 * request whose body is still to come joins its event loop's list, and a look every
 * {@value #LOOK_MILLIS} ms drops the requests that have been read and answers those past
 * their deadline. A request costs an append, not a timer set and cancelled; the list holds
 * only the requests of the last look's interval, so it keeps little alive.
 */
final class BodyDeadlines {
  static final long LOOK_MILLIS = 100;
  private final Vertx vertx;
  private final long deadlineMillis;
  private final Consumer<RoutingContext> onLate;
  /** The list of this event loop's thread, made with its periodic look at its first request. */
  private final ThreadLocal<ArrayDeque<Pending>> waiting = new ThreadLocal<>();

  private record Pending(RoutingContext ctx, long due) {}

  BodyDeadlines(Vertx vertx, long deadlineMillis, Consumer<RoutingContext> onLate) {
    this.vertx = vertx;
    this.deadlineMillis = deadlineMillis;
    this.onLate = onLate;
  }

  /** Called on the request's event loop; a request with no body, or whose body arrived, needs nothing. */
  void watch(RoutingContext ctx) {
    if (ctx.request().isEnded() || !hasBody(ctx)) {
      return;
    }
    ArrayDeque<Pending> list = waiting.get();
    if (list == null) {
      list = new ArrayDeque<>();
      waiting.set(list);
      ArrayDeque<Pending> mine = list;
      // A periodic timer set on an event loop runs on that event loop: the list stays its own.
      vertx.setPeriodic(Math.min(LOOK_MILLIS, deadlineMillis), id -> look(mine));
    }
    list.add(new Pending(ctx, System.nanoTime() / 1_000_000 + deadlineMillis));
  }

  private static boolean hasBody(RoutingContext ctx) {
    String length = ctx.request().getHeader("Content-Length");
    return length != null ? !length.equals("0") : ctx.request().getHeader("Transfer-Encoding") != null;
  }

  private void look(ArrayDeque<Pending> list) {
    long now = System.nanoTime() / 1_000_000;
    for (int n = list.size(); n > 0; n--) {
      Pending p = list.poll();
      if (p.ctx().request().isEnded() || p.ctx().response().ended() || p.ctx().response().closed()) {
        continue;
      }
      if (now - p.due() >= 0) {
        onLate.accept(p.ctx());
      } else {
        list.add(p);
      }
    }
  }
}
