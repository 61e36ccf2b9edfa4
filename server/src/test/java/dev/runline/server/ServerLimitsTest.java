package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener's configurable limits: body deadline, connection count, body sizes, waits. */
class ServerLimitsTest {

  private static ServerOptions options(int bodyTimeoutSeconds, int maxConnections, long runBody, long maxWait) {
    return ServerOptions.of("127.0.0.1", 0).withIdleTimeoutSeconds(60).withBodyTimeoutSeconds(bodyTimeoutSeconds)
        .withMaxConnections(maxConnections).withBodyLimits(runBody, 2 * runBody).withMaxWaitMillis(maxWait);
  }

  /** Reads what the server sends until it closes the connection or {@code millis} pass. */
  private static String readAll(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // Nothing more within the bound: return what came.
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Pings over {@code socket}, kept open, and returns the response's status line once the whole answer came. */
  private static String pingOn(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    while (!out.toString(StandardCharsets.UTF_8).endsWith("{\"status\":\"ok\"}")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      out.write(b);
    }
    String answer = out.toString(StandardCharsets.UTF_8);
    return answer.isEmpty() ? "" : answer.substring(0, answer.indexOf("\r\n"));
  }

  private static int ping(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aBodyThatDoesNotArriveInTimeIs408AndItsConnectionCloses() throws Exception {
    try (TestServer server = TestServer.start(options(1, 100, 1024 * 1024, 300_000));
        Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("POST /v2/echo/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestServer.KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"input\":").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();

      String answer = readAll(socket, 10_000);
      assertThat(answer).startsWith("HTTP/1.1 408").contains("{\"error\":\"the request body did not arrive within 1 s\"}");
      assertThat(ping(server.port())).isEqualTo(200);
    }
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnceAndOthersAreStillServed() throws Exception {
    try (TestServer server = TestServer.start(options(30, 4, 1024 * 1024, 300_000))) {
      List<Socket> open = new ArrayList<>();
      try {
        // Each of the four answered before the next opens: the server has counted them all.
        for (int i = 0; i < 4; i++) {
          Socket socket = new Socket("127.0.0.1", server.port());
          open.add(socket);
          assertThat(pingOn(socket)).isEqualTo("HTTP/1.1 200 OK");
        }
        try (Socket extra = new Socket("127.0.0.1", server.port())) {
          extra.setSoTimeout(10_000);
          assertThat(extra.getInputStream().read()).as("the fifth connection is closed by the server").isEqualTo(-1);
        }
        assertThat(pingOn(open.get(0))).as("an open connection is still served").isEqualTo("HTTP/1.1 200 OK");
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> ping(server.port()) == 200);
    }
  }

  @Test
  void theBodyLimitIsConfigurable() throws Exception {
    try (TestServer server = TestServer.start(options(30, 100, 1024, 300_000))) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/v2/echo/run"))
          .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"input\": \"" + "x".repeat(2000) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(413);
      assertThat(response.body()).startsWith("{\"error\":");
    }
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> options(0, 1, 1, 1)).hasMessageContaining("bodyTimeoutSeconds");
    assertThatThrownBy(() -> options(1, 0, 1, 1)).hasMessageContaining("maxConnections");
  }
}
