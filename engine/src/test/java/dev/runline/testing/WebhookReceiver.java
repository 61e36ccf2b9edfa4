package dev.runline.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * A webhook target on 127.0.0.1 (JDK {@link HttpServer}, port 0) that records every request
 * it gets and answers each with the status code its policy gives for that attempt number
 * (1-based). It can also hold its answers until {@link #release()} to play a hung receiver.
 */
public final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  public record Delivery(String method, String contentType, Map<String, Object> body) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "webhook-receiver");
    thread.setDaemon(true);
    return thread;
  });
  private final IntUnaryOperator answerForAttempt;
  private final CountDownLatch hold;
  public final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

  private WebhookReceiver(IntUnaryOperator answerForAttempt, boolean hang) throws IOException {
    this.answerForAttempt = answerForAttempt;
    this.hold = new CountDownLatch(hang ? 1 : 0);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/hook", this::handle);
    server.start();
  }

  /** Answers every request with 200. */
  public static WebhookReceiver accepting() throws IOException {
    return new WebhookReceiver(attempt -> 200, false);
  }

  /** Answers attempt {@code n} (1-based) with {@code answer.applyAsInt(n)}. */
  public static WebhookReceiver answering(IntUnaryOperator answer) throws IOException {
    return new WebhookReceiver(answer, false);
  }

  /** Records each request, then holds its answer until {@link #release()}. */
  public static WebhookReceiver hanging() throws IOException {
    return new WebhookReceiver(attempt -> 200, true);
  }

  /** A URL on 127.0.0.1 where nothing listens (a receiver that is down). */
  public static URI down() throws IOException {
    // A plain socket: an HttpServer that never started keeps its port listening after stop().
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/hook");
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  public int count() {
    return deliveries.size();
  }

  public Delivery delivery(int index) {
    return deliveries.get(index);
  }

  public void release() {
    hold.countDown();
  }

  @SuppressWarnings("unchecked")
  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      Map<String, Object> body = JSON.readValue(in.readAllBytes(), Map.class);
      int attempt;
      synchronized (deliveries) {
        deliveries.add(new Delivery(exchange.getRequestMethod(),
            exchange.getRequestHeaders().getFirst("Content-Type"), body));
        attempt = deliveries.size();
      }
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(answerForAttempt.applyAsInt(attempt), -1);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }
}
