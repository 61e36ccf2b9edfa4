package dev.runline.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runline.EndpointClient;
import dev.runline.InvalidRequestException;
import dev.runline.JobDetails;
import dev.runline.JobStatus;
import dev.runline.Runline;
import dev.runline.RequestsPage;
import dev.runline.RequestsQuery;
import dev.runline.Status;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v2/{endpoint_id}/requests}: the caller's recent jobs, newest first, as status
 * bodies, paged by {@code cursor} (with {@code Accept: text/event-stream}, the page pushed
 * again each time it changes); and {@code GET /v2/{endpoint_id}/requests/{job_id}}: one job
 * as the dashboard shows it, its values cut to a size a browser can show.
 */
final class RequestsApi {
  private static final Logger LOG = LoggerFactory.getLogger(RequestsApi.class);
  /** A listed job's output larger than this (as JSON) is left out; {@code /status} has it whole. */
  static final int LISTED_OUTPUT_BYTES = 64 * 1024;
  /** Each value of a job's details is cut after this many bytes of JSON text. */
  static final int DETAIL_BYTES = 64 * 1024;
  /** The stream chunks a job's details show, and the bytes of each. */
  static final int DETAIL_CHUNKS = 200;
  static final int DETAIL_CHUNK_BYTES = 4 * 1024;
  /** How often a followed listing that has not changed says it is still there. */
  private static final long KEEP_ALIVE_MILLIS = 30_000;
  private static final String STATUSES = Arrays.stream(Status.values()).map(Status::name)
      .collect(Collectors.joining(", "));

  private final Runline engine;

  RequestsApi(Runline engine) {
    this.engine = engine;
  }

  private EndpointClient client(RoutingContext ctx) {
    return engine.as(HttpApi.apiKey(ctx)).endpoint(ctx.pathParam("endpoint"));
  }

  void list(RoutingContext ctx) {
    EndpointClient client = client(ctx);
    RequestsQuery query = query(ctx);
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
      follow(ctx, client, query);
      return;
    }
    HttpApi.json(ctx, 200, pageJson(client.requests(query)));
  }

  /** The page now, then the page again each time it changes, as server-sent events named {@code page}. */
  private void follow(RoutingContext ctx, EndpointClient client, RequestsQuery query) {
    Context context = ctx.vertx().getOrCreateContext();
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    AutoCloseable following = client.followRequests(query, page -> {
      Buffer event = Buffer.buffer("event: page\ndata: ").appendBytes(HttpApi.bytes(pageJson(page))).appendString("\n\n");
      context.runOnContext(v -> {
        if (!response.ended() && !response.closed()) {
          response.write(event);
        }
      });
    });
    long keepAlive = ctx.vertx().setPeriodic(KEEP_ALIVE_MILLIS, id -> {
      if (!response.ended() && !response.closed()) {
        response.write(": still here\n\n");
      }
    });
    response.closeHandler(v -> {
      ctx.vertx().cancelTimer(keepAlive);
      try {
        following.close();
      } catch (Exception e) {
        LOG.debug("closing a followed listing failed", e);
      }
    });
  }

  private static RequestsQuery query(RoutingContext ctx) {
    Set<Status> statuses = EnumSet.noneOf(Status.class);
    String statusParam = ctx.request().getParam("status");
    if (statusParam != null && !statusParam.isBlank()) {
      for (String name : statusParam.split(",")) {
        try {
          statuses.add(Status.valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
          throw new InvalidRequestException("status must be one or more of " + STATUSES
              + ", separated by commas; was '" + JobRequests.truncate(statusParam) + "'");
        }
      }
    }
    int limit = RequestsQuery.DEFAULT_LIMIT;
    String limitParam = ctx.request().getParam("limit");
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam.trim());
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("limit must be a whole number from 1 to " + RequestsQuery.MAX_LIMIT
            + ", was '" + JobRequests.truncate(limitParam) + "'");
      }
    }
    String cursor = ctx.request().getParam("cursor");
    return new RequestsQuery(statuses, limit, cursor == null || cursor.isEmpty() ? null : cursor);
  }

  /** {@code {"jobs": [...], "nextCursor": ...}}, a large output left out with its size in {@code outputBytes}. */
  private static Map<String, Object> pageJson(RequestsPage page) {
    List<Object> jobs = new ArrayList<>(page.jobs().size());
    for (JobStatus status : page.jobs()) {
      long size = status.output() == null ? 0 : JsonPreview.sizeOf(status.output());
      if (size <= LISTED_OUTPUT_BYTES) {
        jobs.add(status);
      } else {
        ObjectNode without = JobRequests.MAPPER.valueToTree(new JobStatus(status.id(), status.status(),
            status.delayTime(), status.executionTime(), null, status.error(), status.retries(), status.workerId(),
            status.redeliveries()));
        without.put("outputBytes", size);
        jobs.add(without);
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("jobs", jobs);
    json.put("nextCursor", page.nextCursor());
    return json;
  }

  void details(RoutingContext ctx) {
    JobDetails details = client(ctx).details(ctx.pathParam("id"));
    JobStatus status = details.status();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", new JobStatus(status.id(), status.status(), status.delayTime(), status.executionTime(), null,
        status.error(), status.retries(), status.workerId(), status.redeliveries()));
    json.put("statusBody", JsonPreview.of(status, DETAIL_BYTES));
    json.put("input", JsonPreview.of(details.input(), DETAIL_BYTES));
    if (status.output() != null) {
      json.put("output", JsonPreview.of(status.output(), DETAIL_BYTES));
    }
    Map<String, Object> timeline = new LinkedHashMap<>();
    timeline.put("queuedAt", millis(details.queuedAt()));
    timeline.put("startedAt", millis(details.startedAt()));
    timeline.put("endedAt", millis(details.endedAt()));
    json.put("timeline", timeline);
    List<JsonPreview> chunks = new ArrayList<>();
    for (Object chunk : details.stream().subList(0, Math.min(DETAIL_CHUNKS, details.stream().size()))) {
      chunks.add(JsonPreview.of(chunk, DETAIL_CHUNK_BYTES));
    }
    json.put("stream", Map.of("count", details.stream().size(), "chunks", chunks));
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("executionTimeout", details.executionTimeout().toMillis());
    policy.put("ttl", details.ttl().toMillis());
    policy.put("lowPriority", details.lowPriority());
    json.put("policy", policy);
    if (details.webhook() != null) {
      List<Object> deliveries = new ArrayList<>();
      for (JobDetails.WebhookDelivery delivery : details.webhookDeliveries()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("attempt", delivery.attempt());
        one.put("at", millis(delivery.at()));
        one.put("httpStatus", delivery.httpStatus());
        one.put("error", delivery.error());
        one.put("delivered", delivery.delivered());
        deliveries.add(one);
      }
      Map<String, Object> webhook = new LinkedHashMap<>();
      webhook.put("url", details.webhook().toString());
      webhook.put("deliveries", deliveries);
      json.put("webhook", webhook);
    }
    HttpApi.json(ctx, 200, json);
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }
}
