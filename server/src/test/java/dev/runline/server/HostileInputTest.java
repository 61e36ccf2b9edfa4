package dev.runline.server;

import static dev.runline.server.TestServer.KEY;
import static dev.runline.server.TestServer.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.server.RawHttp.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile HTTP input: malformed, truncated and invalid-UTF-8 bodies, hostile JSON (depth,
 * huge numbers, duplicate keys, wrong types for every field), unknown methods, odd paths and
 * ids, oversized headers and bodies, lying {@code Content-Length}, clients that never finish
 * their request, and hundreds of half-open connections. None may get a 5xx or a stack trace,
 * every 4xx carries the JSON {@code {"error": "..."}} body of API.md, and the server keeps
 * answering everyone else (checked after every test, and while hostile clients hold their
 * connections open).
 *
 * <p>Requests go over raw sockets ({@link RawHttp}) so that anything can be sent. The server
 * runs with a 2-second idle timeout so that slow clients are seen being cut off within a short
 * wait. No test asserts how fast the server is: the waits below (10 s for an answer, the idle
 * timeout plus a few seconds for a close) only bound how long to wait for what must come.
 *
 * <p>The last test sends random requests (methods, paths, headers and JSON-ish bodies, some
 * mutated, some random bytes) to a second server with the default options. They come from a
 * seeded {@link Random}: {@code -Drunline.fuzz.requests} sets how many (1000 by default, 20000
 * with {@code -Pfull}) and {@code -Drunline.fuzz.seed} the seed (fixed by default, so every run
 * sends the same requests); a failure names the seed that sends the failing request alone.
 */
class HostileInputTest {
  private static final int IDLE_TIMEOUT_SECONDS = 2;
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final String PONG = "{\"status\":\"ok\"}";
  private static final String AUTH = "Authorization: Bearer " + KEY;
  private static final Pattern STACK_FRAME = Pattern.compile("\\bat [\\w$]+(\\.[\\w$]+)+\\(|Caused by:|\\tat ");

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(ServerOptions.of("127.0.0.1", 0).withIdleTimeoutSeconds(IDLE_TIMEOUT_SECONDS));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** After every hostile test the server still answers a plain request. */
  @AfterEach
  void theServerStillAnswers() throws IOException {
    assertServes(server.port(), "after the test");
  }

  // ---- checks ------------------------------------------------------------------------

  /** The server on {@code port} answers a plain {@code GET /ping}: it is still serving others. */
  private static void assertServes(int port, String when) throws IOException {
    Response ping = RawHttp.exchange(port, RawHttp.request("GET", "/ping", "", null), ANSWER);
    assertThat(ping.status()).as("GET /ping " + when + ": " + ping).isEqualTo(200);
    assertThat(ping.text()).as("GET /ping " + when).isEqualTo(PONG);
  }

  /** A {@code runsync} of {@code {"input": n}} on {@code open} while hostile clients are connected is served. */
  private static void assertRunSyncServes(int n, String when) throws IOException {
    Response response = post("/v2/open/runsync?wait=5000", "{\"input\": " + n + "}");
    assertThat(response.status()).as("runsync " + n + " " + when + ": " + response).isEqualTo(200);
    assertThat(response.json().path("output").asText()).as("runsync " + n + " " + when + ": " + response)
        .isEqualTo(String.valueOf(n));
  }

  /**
   * The server closed {@code socket}, within {@code atMost}, without sending a byte: there was
   * no request to answer, or no one left to answer.
   */
  private static void assertClosedWithoutAnAnswer(Socket socket, Duration atMost, String what) throws IOException {
    byte[] sent = RawHttp.readUntilClosed(socket, atMost);
    assertThat(sent).as(what + ": closed by the server within " + atMost.toSeconds() + " s").isNotNull();
    assertThat(new String(sent, StandardCharsets.ISO_8859_1)).as(what + ": what the server sent before closing")
        .isEmpty();
  }

  private static Response send(String method, String path, String headers, byte[] body) throws IOException {
    return RawHttp.exchange(server.port(), RawHttp.request(method, path, headers, body), ANSWER);
  }

  private static Response post(String path, String body) throws IOException {
    return send("POST", path, AUTH + "\r\nContent-Type: application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static Response post(String path, byte[] body) throws IOException {
    return send("POST", path, AUTH + "\r\nContent-Type: application/json", body);
  }

  /**
   * An answer came, it is not a 5xx, a 4xx carries {@code {"error": "<text>"}} as JSON (HEAD
   * answers have no body), and nothing in it looks like a stack trace.
   */
  static void assertSane(Response response, String method, String what) {
    assertThat(response.status()).as(what + ": an answer came").isNotEqualTo(-1);
    assertThat(response.status()).as(what + ": not a 5xx; " + response).isLessThan(500);
    assertThat(response.text()).as(what + ": no stack trace in the answer").doesNotContainPattern(STACK_FRAME);
    if (response.status() >= 400 && !method.equals("HEAD")) {
      assertJsonError(response, what);
    }
  }

  static void assertJsonError(Response response, String what) {
    assertThat(response.header("content-type")).as(what + ": content type of " + response)
        .startsWith("application/json");
    JsonNode json = response.json();
    assertThat(json).as(what + ": a JSON body in " + response).isNotNull();
    assertThat(json.isObject() && json.path("error").isTextual()).as(what + ": {\"error\": \"...\"} in " + response)
        .isTrue();
    assertThat(json.path("error").asText()).as(what).isNotBlank().doesNotContain("Exception");
  }

  private static void assertRefused(Response response, int status, String what) {
    assertThat(response.status()).as(what + ": " + response).isEqualTo(status);
    assertSane(response, "POST", what);
  }

  private static long jobsAccepted(String endpoint) {
    var jobs = server.engine.inspect().health(endpoint).jobs();
    return jobs.completed() + jobs.failed() + jobs.inQueue() + jobs.inProgress();
  }

  // ---- bodies ------------------------------------------------------------------------

  static Stream<Arguments> invalidUtf8() {
    return Stream.of(
        Arguments.of("a lone continuation byte in a string", bytes("{\"input\": \"a", 0x80, "b\"}")),
        Arguments.of("0xff in a string", bytes("{\"input\": \"", 0xff, 0xfe, "\"}")),
        Arguments.of("an overlong encoding of '/'", bytes("{\"input\": \"", 0xc0, 0xaf, "\"}")),
        Arguments.of("an overlong NUL", bytes("{\"input\": \"", 0xc0, 0x80, "\"}")),
        Arguments.of("an encoded surrogate", bytes("{\"input\": \"", 0xed, 0xa0, 0x80, "\"}")),
        Arguments.of("a code point above U+10FFFF", bytes("{\"input\": \"", 0xf4, 0x90, 0x80, 0x80, "\"}")),
        Arguments.of("a sequence cut short", bytes("{\"input\": \"", 0xe2, 0x82, "\"}")),
        Arguments.of("a sequence cut short at the end", bytes("{\"input\": \"x\"}", 0xe2)),
        Arguments.of("invalid bytes in a key", bytes("{\"in", 0xff, "put\": 1}")),
        Arguments.of("invalid bytes in the webhook", bytes("{\"input\": 1, \"webhook\": \"http://", 0xff, ".x/\"}")),
        Arguments.of("invalid bytes outside strings", bytes("{\"input\": 1", 0xff, "}")),
        Arguments.of("UTF-16 instead of UTF-8", "{\"input\": \"\u00e9\"}".getBytes(StandardCharsets.UTF_16LE)));
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUtf8")
  void invalidUtf8InTheBodyIs400AndQueuesNothing(String what, byte[] body) throws IOException {
    long before = jobsAccepted("open");
    for (String route : List.of("/v2/open/run", "/v2/open/runsync")) {
      Response response = post(route, body);
      // UTF-16 happens to decode for Jackson (it detects the encoding); everything else is refused.
      if (what.startsWith("UTF-16")) {
        assertSane(response, "POST", what);
      } else {
        assertRefused(response, 400, what + " on " + route);
      }
    }
    if (!what.startsWith("UTF-16")) {
      assertThat(jobsAccepted("open")).as("jobs accepted").isEqualTo(before);
    }
  }

  @Test
  void invalidUtf8InThePathAndHeadersIsNeverA5xx() throws IOException {
    byte[] rawPath = bytes("GET /v2/", 0xff, 0xfe, "/health HTTP/1.1\r\nHost: x\r\n", AUTH, "\r\nConnection: close\r\n\r\n");
    assertSane(RawHttp.exchange(server.port(), rawPath, ANSWER), "GET", "raw 0xff in the path");
    byte[] rawId = bytes("GET /v2/echo/status/", 0xc0, 0xaf, " HTTP/1.1\r\nHost: x\r\n", AUTH, "\r\nConnection: close\r\n\r\n");
    assertSane(RawHttp.exchange(server.port(), rawId, ANSWER), "GET", "an overlong '/' in the id");
    for (String path : List.of("/v2/%ff/health", "/v2/echo/status/%c3%28", "/v2/echo/status/%ed%a0%80", "/v2/%c0%af/run")) {
      assertSane(send("GET", path, AUTH, null), "GET", path);
    }
    byte[] rawKey = bytes("GET /v2/echo/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", 0xff, 0xc0,
        "\r\nConnection: close\r\n\r\n");
    Response key = RawHttp.exchange(server.port(), rawKey, ANSWER);
    assertRefused(key, 401, "invalid UTF-8 in the key");
  }

  @Test
  void everyTruncationOfAValidBodyIs400() throws IOException {
    String valid = "{\"input\": {\"prompt\": \"h\u00e9llo\", \"n\": [1, 2.5, -3e2, {\"deep\": null}]}, "
        + "\"webhook\": \"http://127.0.0.1:9/hook\", \"policy\": {\"executionTimeout\": 60000, \"ttl\": 600000, "
        + "\"lowPriority\": true}, \"s3Config\": {\"bucket\": \"b\"}}";
    byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
    long before = jobsAccepted("open");
    for (int length = 1; length < bytes.length; length++) {
      assertRefused(post("/v2/open/run", Arrays.copyOf(bytes, length)), 400, "the first " + length + " bytes");
    }
    assertThat(jobsAccepted("open")).as("jobs accepted from truncated bodies").isEqualTo(before);
    Response whole = post("/v2/open/run", bytes);
    assertThat(whole.status()).as("the whole body: " + whole).isEqualTo(200);
    server.engine.as(KEY).endpoint("open").cancel(whole.json().path("id").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "\n", "null", "true", "1", "\"input\"", "[]", "[{\"input\": 1}]", "{", "}", "{{}}", "{\"input\"}",
      "{\"input\":}", "{\"input\" 1}", "{input: 1}", "{'input': 1}", "{\"input\": 1,}", "{\"input\": [1,]}",
      "{\"input\": 01}", "{\"input\": 1.}", "{\"input\": .5}", "{\"input\": +1}", "{\"input\": 0x10}",
      "{\"input\": NaN}", "{\"input\": Infinity}", "{\"input\": undefined}", "{\"input\": \"\\x41\"}",
      "{\"input\": \"\\u12\"}", "{\"input\": \"unterminated}", "{\"input\": 1} {\"input\": 2}", "{\"input\": 1}]",
      "{\"input\": /* comment */ 1}", "{\"input\": 1} // comment", "{\"input\": \"tab\there\"}",
      "{\"input\": \"nul\u0000here\"}", "\u0000{\"input\": 1}", "{\"input\": 1}\u0000"})
  void malformedJsonIs400(String body) throws IOException {
    assertRefused(post("/v2/open/run", body), 400, "body [" + body + "]");
  }

  /** A value of each wrong type for each field the server reads. */
  static Stream<Arguments> wrongTypes() {
    List<Arguments> cases = new ArrayList<>();
    List<String> notString = List.of("1", "-1", "1.5", "true", "false", "{}", "[]", "[\"http://x/\"]", "{\"url\": \"http://x/\"}");
    for (String field : List.of("webhook", "webhookV2")) {
      for (String value : notString) {
        cases.add(Arguments.of("{\"input\": 1, \"" + field + "\": " + value + "}"));
      }
    }
    for (String value : List.of("1", "\"x\"", "true", "[]", "[{\"ttl\": 60000}]")) {
      cases.add(Arguments.of("{\"input\": 1, \"policy\": " + value + "}"));
    }
    for (String field : List.of("executionTimeout", "ttl")) {
      for (String value : List.of("\"60000\"", "true", "60000.5", "6e4", "{}", "[60000]", "-1",
          "99999999999999999999", "1" + "0".repeat(199), "-9223372036854775808", "0", "1")) {
        cases.add(Arguments.of("{\"input\": 1, \"policy\": {\"" + field + "\": " + value + "}}"));
      }
    }
    for (String value : List.of("\"true\"", "1", "0", "\"yes\"", "{}", "[]", "[true]")) {
      cases.add(Arguments.of("{\"input\": 1, \"policy\": {\"lowPriority\": " + value + "}}"));
    }
    for (String value : List.of("null")) {
      cases.add(Arguments.of("{\"input\": " + value + "}"));
    }
    cases.add(Arguments.of("{\"Input\": 1}"));
    cases.add(Arguments.of("{\"input \": 1}"));
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("wrongTypes")
  void aWrongTypeOrValueForAnyFieldIs400WithAMessageNamingIt(String body) throws IOException {
    for (String route : List.of("/v2/open/run", "/v2/open/runsync?wait=1000")) {
      Response response = post(route, body);
      assertRefused(response, 400, route + " " + body);
      assertThat(response.json().path("error").asText()).as(body)
          .containsAnyOf("input", "webhook", "policy", "malformed");
    }
  }

  @Test
  void hugeNumbersAreRefusedWhereTheyAreLimitsAndBoundedWhereTheyAreInput() throws IOException {
    String digits201 = "9".repeat(201);
    assertRefused(post("/v2/open/run", "{\"input\": " + digits201 + "}"), 400, "a 201-digit number");
    assertRefused(post("/v2/open/run", "{\"input\": 1." + "1".repeat(250) + "}"), 400, "a 250-digit fraction");
    assertRefused(post("/v2/open/run", "{\"input\": 1, \"policy\": {\"ttl\": " + digits201 + "}}"), 400, "a huge ttl");
    // Within the number-length limit a number is plain input, even one far out of double range.
    for (String number : List.of("1e999999999", "-1e999999999", "1e-999999999", "9".repeat(200), "-0", "1E+2")) {
      Response response = post("/v2/open/runsync?wait=5000", "{\"input\": " + number + "}");
      assertSane(response, "POST", number);
      assertThat(response.status()).as(number + ": " + response).isEqualTo(200);
    }
    Response wait = send("POST", "/v2/open/runsync?wait=" + digits201, AUTH, "{\"input\": 1}".getBytes());
    assertRefused(wait, 400, "a huge wait");
    Response ttl = send("GET", "/v2/open/status/x?ttl=" + Long.MAX_VALUE, AUTH, null);
    assertSane(ttl, "GET", "ttl = Long.MAX_VALUE");
  }

  @Test
  void hugeStringsUpToTheBodyLimitAreAcceptedAndBeyondItAre413() throws IOException {
    String big = "x".repeat(9 * 1024 * 1024);
    Response accepted = post("/v2/open/runsync?wait=10000", "{\"input\": \"" + big + "\"}");
    assertThat(accepted.status()).as("a 9 MB string").isEqualTo(200);
    assertThat(accepted.json().path("output").asText()).hasSize(big.length());
    Response escaped = post("/v2/open/run", "{\"input\": \"" + "\\u0041".repeat(2 * 1024 * 1024) + "\"}");
    assertRefused(escaped, 413, "12 MB of escapes");
    Response key = post("/v2/open/run", "{\"" + "k".repeat(11 * 1024 * 1024) + "\": 1}");
    assertRefused(key, 413, "an 11 MB key");
  }

  @Test
  void nestingIsBoundedEverywhereInTheBody() throws IOException {
    String ok = "[".repeat(100) + "]".repeat(100);
    assertThat(post("/v2/open/runsync?wait=5000", "{\"input\": " + ok + "}").status()).as("depth 100").isEqualTo(200);
    for (String deep : List.of("[".repeat(200) + "]".repeat(200), "{\"a\":".repeat(200) + "1" + "}".repeat(200),
        "[".repeat(200))) {
      assertRefused(post("/v2/open/run", "{\"input\": " + deep + "}"), 400, "deep input");
      assertRefused(post("/v2/open/run", "{\"input\": 1, \"s3Config\": " + deep + "}"), 400, "deep s3Config");
      assertRefused(post("/v2/open/run", "{\"input\": 1, \"policy\": {\"x\": " + deep + "}}"), 400, "deep policy");
      assertRefused(post("/v2/open/run", "{\"input\": 1, \"other\": " + deep + "}"), 400, "deep unknown key");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"input\": 1, \"input\": 1}", "{\"input\": {\"a\": 1, \"a\": 2}}",
      "{\"input\": 1, \"policy\": {\"ttl\": 60000, \"ttl\": 10}}", "{\"input\": 1, \"webhook\": null, \"webhook\": \"ftp://x\"}",
      "{\"input\": [{\"k\": 1, \"k\": 1}]}", "{\"input\": 1, \"s3Config\": {\"a\": 1, \"a\": 1}}"})
  void duplicateKeysAtAnyDepthAre400(String body) throws IOException {
    Response response = post("/v2/open/run", body);
    assertRefused(response, 400, body);
    assertThat(response.json().path("error").asText()).contains("Duplicate");
  }

  // ---- methods, paths, ids -------------------------------------------------------------

  static Stream<String> unknownMethods() {
    return Stream.of("FOO", "PROPFIND", "M-SEARCH", "get", "Post", "BREW", "LINK", "X".repeat(1000));
  }

  @ParameterizedTest
  @MethodSource("unknownMethods")
  void unknownMethodsAre405Or404WithAJsonError(String method) throws IOException {
    for (String path : List.of("/v2/echo/run", "/v2/echo/status/x", "/v2/echo/health", "/ping", "/nowhere")) {
      Response response = send(method, path, AUTH, method.length() % 2 == 0 ? "{\"input\": 1}".getBytes() : null);
      assertSane(response, method, method + " " + path);
      assertThat(response.status()).as(method + " " + path).isIn(404, 405);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2//run", "/v2/echo//status", "/v2/echo/status/", "/v2/echo/status/..", "/v2/echo/status/.",
      "/v2/echo/status/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/v2/echo/status/../../../../etc/passwd",
      "/v2/echo/status/%00", "/v2/echo/status/a%2Fb", "/v2/echo/status/a/b", "/v2/echo/run/", "/v2/echo/run/extra",
      "//v2/echo/health", "/V2/echo/health", "/v2/ECHO/health", "/v2/echo/health;jsessionid=1", "/v2/echo/health/",
      "/v2/echo/status/%", "/v2/echo/status/%u0041", "/v2/echo/status/%%30%30", "/v2/echo/status/\u00e9",
      "/v2/echo/status/${jndi:ldap://127.0.0.1/a}", "/v2/echo/status/<script>alert(1)</script>",
      "/v2/echo/status/' OR '1'='1", "/v2/echo/status/sync-", "/v2/echo/status/00000000-0000-0000-0000-000000000000",
      "/v2/echo/health?" + "a=1&a=2&", "/v2/echo/status-sync/x?wait=1&wait=2", "/v2/echo/stream/x?wait=",
      "/v2/echo/runsync?wait=1e3", "/v2/echo/status/x?ttl=-5", "/v2/echo/status/x?ttl=0",
      "/v2/%2e%2e/health", "/v2/./echo/health", "/v2/e%63ho/health", "/v2/echo%2Fhealth", "/", "/v2", "/v2/",
      "/v2/echo", "/v2/echo/", "/metrics/", "/ping/x", "/favicon.ico", "/.env", "/v2/echo/status/ x"})
  void oddPathsAndIdsAreNeverA5xx(String path) throws IOException {
    String encoded = path.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("'", "%27")
        .replace("{", "%7B").replace("}", "%7D").replace("\u00e9", "%C3%A9");
    for (String method : List.of("GET", "POST")) {
      Response response = send(method, encoded, AUTH, method.equals("POST") ? "{\"input\": 1}".getBytes() : null);
      assertSane(response, method, method + " " + path);
    }
  }

  @Test
  void longIdsAndEndpointNamesJustUnderTheRequestLineLimitAre404WithAJsonError() throws IOException {
    assertRefused(send("GET", "/v2/echo/status/" + "a".repeat(3000), AUTH, null), 404, "a 3000-character id");
    assertRefused(send("GET", "/v2/" + "e".repeat(3000) + "/health", AUTH, null), 404, "a 3000-character endpoint");
  }

  // ---- protocol-level errors -----------------------------------------------------------

  /** Requests Netty and Vert.x refuse before any route sees them. */
  static Stream<Arguments> protocolErrors() {
    String head = "Host: x\r\n" + AUTH + "\r\nConnection: close\r\n";
    return Stream.of(
        Arguments.of("a request line over 4096 bytes", "GET /v2/echo/status/" + "a".repeat(5000) + " HTTP/1.1\r\n" + head + "\r\n"),
        Arguments.of("a header over the 16 KB limit", "GET /v2/echo/health HTTP/1.1\r\n" + head + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
        Arguments.of("2000 small headers over the limit", "GET /v2/echo/health HTTP/1.1\r\n" + head + "X-H: 1234567\r\n".repeat(2000) + "\r\n"),
        Arguments.of("a Content-Length that is not a number", "POST /v2/echo/run HTTP/1.1\r\n" + head + "Content-Length: abc\r\n\r\n{}"),
        Arguments.of("a negative Content-Length", "POST /v2/echo/run HTTP/1.1\r\n" + head + "Content-Length: -5\r\n\r\n{}"),
        Arguments.of("two different Content-Lengths", "POST /v2/echo/run HTTP/1.1\r\n" + head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
        Arguments.of("Content-Length with Transfer-Encoding", "POST /v2/echo/run HTTP/1.1\r\n" + head
            + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
        Arguments.of("a chunk size that is not hex", "POST /v2/echo/run HTTP/1.1\r\n" + head
            + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        Arguments.of("an unknown Expect", "POST /v2/echo/run HTTP/1.1\r\n" + head + "Expect: something-else\r\nContent-Length: 2\r\n\r\n{}"),
        Arguments.of("an asterisk target", "GET * HTTP/1.1\r\n" + head + "\r\n"),
        Arguments.of("CONNECT", "CONNECT 127.0.0.1:80 HTTP/1.1\r\n" + head + "\r\n"),
        Arguments.of("a request line without a version", "GET /ping\r\n" + head + "\r\n"),
        Arguments.of("a TLS ClientHello", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003garbage\r\n\r\n"),
        Arguments.of("a header without a colon", "GET /v2/echo/health HTTP/1.1\r\n" + head + "NoColonHere\r\n\r\n"),
        Arguments.of("a header name with a space", "GET /v2/echo/health HTTP/1.1\r\n" + head + "Bad Name: 1\r\n\r\n"),
        Arguments.of("an obsolete folded header", "GET /v2/echo/health HTTP/1.1\r\n" + head + "X-A: 1\r\n  folded\r\n\r\n"),
        Arguments.of("bare LF line ends", "GET /v2/echo/health HTTP/1.1\nHost: x\n" + AUTH + "\nConnection: close\n\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolErrors")
  void protocolErrorsAreA4xxWithTheJsonErrorBody(String what, String request) throws IOException {
    Response response = RawHttp.exchange(server.port(), request, ANSWER);
    assertSane(response, "GET", what);
  }

  /**
   * The one 5xx of the protocol layer: Vert.x answers an HTTP version it does not speak
   * with 501 before any handler of ours runs (as RFC 9110 allows for an unsupported
   * version). The connection is closed and the server keeps answering everyone else.
   */
  @ParameterizedTest
  @ValueSource(strings = {"GET /ping HTTP/9.9\r\nHost: x\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"})
  void anHttpVersionTheServerDoesNotSpeakIs501AndHarmsNoOne(String request) throws Exception {
    Response response = RawHttp.exchange(server.port(), request, ANSWER);
    assertThat(response.status()).isEqualTo(501);
    assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + server.port() + "/ping")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "FOO"})
  void aFormOrMultipartContentTypeOnAMethodWithoutABodyIsNeverA5xx(String method) throws IOException {
    for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz")) {
      for (String path : List.of("/v2/echo/status/x", "/v2/echo/health", "/v2/echo/run", "/v2/echo/stream/x")) {
        byte[] body = type.startsWith("multipart") ? "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n"
            .getBytes(StandardCharsets.ISO_8859_1) : "a=1&input=2".getBytes(StandardCharsets.ISO_8859_1);
        Response response = send(method, path, AUTH + "\r\nContent-Type: " + type, body);
        assertSane(response, method, method + " " + path + " with " + type);
      }
    }
  }

  /**
   * Clients cannot write to the server's log at will: hostile requests and connections
   * dropped in the middle of a body leave no ERROR line and no stack trace (refusals are
   * summed up in at most a line a minute per status).
   */
  @Test
  void hostileClientsLeaveNoErrorAndNoStackTraceInTheLog() throws IOException {
    String log;
    try (LogCapture capture = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        RawHttp.exchange(server.port(), "POST /v2/echo/run HTTP/1.1\r\nHost: x\r\n" + AUTH
            + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", ANSWER);
        RawHttp.exchange(server.port(), "POST /v2/echo/run HTTP/1.1\r\nHost: x\r\n" + AUTH
            + "\r\nExpect: something-else\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", ANSWER);
        send("GET", "*", AUTH, null);
        send("GET", "/v2/echo/health", AUTH + "\r\nContent-Type: application/x-www-form-urlencoded", "a=1".getBytes());
        send("POST", "/v2/echo/run", "Authorization: Bearer not-a-key-at-all", "{\"input\": 1}".getBytes());
        post("/v2/open/run", "{\"input\": ");
        try (Socket dropped = RawHttp.open(server.port(), ANSWER)) {
          dropped.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
              + "\r\nContent-Length: 1000\r\n\r\n{\"in").getBytes(StandardCharsets.ISO_8859_1));
          // The server has read the head once it answers a request sent after it on another connection.
          send("GET", "/ping", "", null);
        }
      }
      send("GET", "/ping", "", null);
      log = capture.text();
    }
    assertThat(log).as("the log while hostile clients came and went").doesNotContain(" ERROR ")
        .doesNotContainPattern(STACK_FRAME);
    assertThat(log.lines().count()).as("log lines for 35 hostile requests").isLessThanOrEqualTo(5);
  }

  /**
   * A client that sends its body one byte every 200 ms: the idle timeout never fires. The
   * server must go on serving others meanwhile (how long such a client may hold its
   * connection is reported by the test's output).
   */
  @Test
  void clientsTricklingTheirBodiesDoNotKeepOthersFromBeingServed() throws IOException {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        Socket socket = RawHttp.open(server.port(), ANSWER);
        slow.add(socket);
        socket.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
            + "\r\nContent-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
      }
      long start = System.nanoTime();
      long horizon = Duration.ofSeconds(2L * IDLE_TIMEOUT_SECONDS).toNanos();
      int open = slow.size();
      int round = 0;
      while (System.nanoTime() - start < horizon && open > 0) {
        open = 0;
        for (Socket socket : slow) {
          if (socket.isClosed()) {
            continue;
          }
          try {
            socket.getOutputStream().write(' ');
            open++;
          } catch (IOException e) {
            socket.close();
          }
        }
        assertServes(server.port(), "in round " + round++ + " of the trickle, " + open + " clients trickling");
        // The read paces the trickle: it waits up to 200 ms for the server to close one.
        RawHttp.closedByServer(slow.get(0), Duration.ofMillis(200));
      }
      System.out.println("HostileInputTest: " + open + " of " + slow.size() + " clients trickling a body were still "
          + "connected after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (idle timeout "
          + IDLE_TIMEOUT_SECONDS + " s)");
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /**
   * The body is never sent, so an answer at all shows the server did not wait for it: had it
   * waited, the idle timeout would have closed the connection without one.
   */
  @Test
  void aContentLengthFarOverTheLimitIs413WithoutWaitingForTheBody() throws IOException {
    try (Socket socket = RawHttp.open(server.port(), ANSWER)) {
      socket.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{\"input\": ")
          .getBytes(StandardCharsets.ISO_8859_1));
      Response response = RawHttp.read(socket.getInputStream(), ANSWER);
      assertRefused(response, 413, "Content-Length 99999999999");
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIs413AndOneWithinItIsAccepted() throws IOException {
    Response ok = RawHttp.exchange(server.port(), chunked("/v2/open/run", "{\"input\": \"" + "y".repeat(100_000) + "\"}", 7000),
        ANSWER);
    assertThat(ok.status()).as("a chunked body of 100 KB: " + ok).isEqualTo(200);
    Response big = RawHttp.exchange(server.port(),
        chunked("/v2/open/run", "{\"input\": \"" + "y".repeat(11 * 1024 * 1024) + "\"}", 64 * 1024), ANSWER);
    assertRefused(big, 413, "a chunked body of 11 MB");
  }

  private static byte[] chunked(String path, String body, int chunk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + AUTH
        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunk) {
      int n = Math.min(chunk, bytes.length - i);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes, i, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  @Test
  void headersJustUnderTheLimitAreServed() throws IOException {
    Response response = send("GET", "/v2/echo/health", AUTH + "\r\nX-Filler: " + "f".repeat(14 * 1024), null);
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
  }

  // ---- lying Content-Length ------------------------------------------------------------

  @Test
  void aContentLengthLargerThanTheBodyHoldsOnlyThatConnectionUntilTheIdleTimeoutClosesIt() throws IOException {
    long before = jobsAccepted("open");
    try (Socket liar = RawHttp.open(server.port(), ANSWER)) {
      liar.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"input\": 1}")
          .getBytes(StandardCharsets.ISO_8859_1));
      // Meanwhile everyone else is served.
      for (int i = 0; i < 5; i++) {
        assertRunSyncServes(i, "while a body is missing on another connection");
      }
      // The idle timeout comes long before the 30 s body deadline that would answer 408, and
      // it closes the connection with nothing to say.
      assertClosedWithoutAnAnswer(liar, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5),
          "the connection that never sent its body");
    }
    assertThat(jobsAccepted("open")).as("jobs accepted: only the 5 runsync").isEqualTo(before + 5);
  }

  @Test
  void aContentLengthSmallerThanTheBodyCutsTheBodyAndTheRestIsNeverAJob() throws IOException {
    long before = jobsAccepted("open");
    try (Socket socket = RawHttp.open(server.port(), ANSWER)) {
      // The declared 5 bytes are '{"inp'; the rest would be a second request smuggled in.
      String rest = "POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Length: 12\r\n\r\n{\"input\": 2}";
      socket.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"input\": 1}" + rest)
          .getBytes(StandardCharsets.ISO_8859_1));
      Response first = RawHttp.read(socket.getInputStream(), ANSWER);
      assertRefused(first, 400, "the cut body");
      // What follows is garbage to HTTP ('ut": 1}POST ...'): refused, and the connection closed
      // so that nothing after it is read as a request.
      Response second = RawHttp.read(socket.getInputStream(), ANSWER);
      assertThat(second.status()).as("the leftover bytes: " + second).isBetween(400, 499);
      assertSane(second, "POST", "the leftover bytes");
      assertThat(RawHttp.closedByServer(socket, ANSWER)).as("closed after refusing the leftover bytes").isTrue();
    }
    assertThat(jobsAccepted("open")).as("no job from a smuggled request").isEqualTo(before);
  }

  @Test
  void aClientThatDeclaresABodyAndHangsUpIsForgotten() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (Socket socket = RawHttp.open(server.port(), ANSWER)) {
        socket.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
            + "\r\nContent-Length: 100000\r\n\r\n{\"input\": \"abc").getBytes(StandardCharsets.ISO_8859_1));
        socket.shutdownOutput();
        // The server does not keep half-closed connections: the request dies with the
        // connection, and there is no one left to answer.
        assertClosedWithoutAnAnswer(socket, ANSWER, "a body cut by the client (" + i + ")");
      }
    }
  }

  // ---- slow clients and half-open connections --------------------------------------------

  /**
   * The head cut where the silent client stops is not refused in itself (a client that goes
   * on from there is served), so what closes the silent one is the idle timeout.
   */
  @Test
  void aClientThatStopsInTheMiddleOfItsHeadersIsClosedAfterTheIdleTimeout() throws IOException {
    String head = "GET /v2/echo/health HTTP/1.1\r\nHost: x\r\n" + AUTH.substring(0, 20);
    try (Socket slow = RawHttp.open(server.port(), ANSWER)) {
      slow.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      try (Socket goesOn = RawHttp.open(server.port(), ANSWER)) {
        OutputStream out = goesOn.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        out.write((AUTH.substring(20) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        Response served = RawHttp.read(goesOn.getInputStream(), ANSWER);
        assertThat(served.status()).as("the same head, finished: " + served).isEqualTo(200);
      }
      assertClosedWithoutAnAnswer(slow, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5), "a head left unfinished");
    }
  }

  @Test
  void aClientThatConnectsAndSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
    try (Socket silent = RawHttp.open(server.port(), ANSWER)) {
      assertThat(RawHttp.closedByServer(silent, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5))).isTrue();
    }
  }

  /**
   * A slowloris: one header byte every 200 ms keeps the idle timeout from ever firing, so
   * only a bound on the time to receive a whole request head can end it. The request head
   * must be complete within a few idle timeouts.
   */
  @Test
  void aClientThatTricklesItsHeadersForeverIsClosedByAHeaderTimeout() throws IOException {
    Duration bound = Duration.ofSeconds(3L * IDLE_TIMEOUT_SECONDS);
    try (Socket slow = RawHttp.open(server.port(), ANSWER)) {
      OutputStream out = slow.getOutputStream();
      out.write("GET /v2/echo/health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
      long deadline = System.nanoTime() + bound.toNanos();
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          out.write('a');
          out.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        // The read both paces the trickle and sees the close.
        closed = RawHttp.closedByServer(slow, Duration.ofMillis(200));
      }
      assertThat(closed).as("a request head still incomplete after " + bound.toSeconds() + " s was cut off").isTrue();
    }
  }

  @Test
  void hundredsOfHalfOpenConnectionsDoNotKeepOthersFromBeingServedAndAreAllClosedByTheServer() throws IOException {
    List<Socket> halfOpen = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket socket = RawHttp.open(server.port(), ANSWER);
        halfOpen.add(socket);
        String partial = switch (i % 3) {
          case 0 -> "";
          case 1 -> "POST /v2/open/run HTTP/1.1\r\nHost: x\r\nAuthor";
          default -> "POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Length: 1000\r\n\r\n{\"in";
        };
        socket.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
      }
      for (int i = 0; i < 20; i++) {
        if (i % 2 == 0) {
          assertServes(server.port(), "with 300 half-open connections");
        } else {
          assertRunSyncServes(i, "with 300 half-open connections");
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 8).toNanos();
      int closed = 0;
      for (Socket socket : halfOpen) {
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        if (RawHttp.closedByServer(socket, left)) {
          closed++;
        }
      }
      assertThat(closed).as("half-open connections the server closed").isEqualTo(halfOpen.size());
    } finally {
      for (Socket socket : halfOpen) {
        socket.close();
      }
    }
  }

  @Test
  void aHundredPipelinedRequestsOnOneConnectionAreAllAnsweredInOrder() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 100; i++) {
      String body = i % 4 == 3 ? "{\"input\": " : "{\"input\": " + i + "}";
      out.writeBytes(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n" + (i == 99 ? "Connection: close\r\n" : "") + "\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
    }
    try (Socket socket = RawHttp.open(server.port(), ANSWER)) {
      socket.getOutputStream().write(out.toByteArray());
      for (int i = 0; i < 100; i++) {
        Response response = RawHttp.read(socket.getInputStream(), ANSWER);
        assertThat(response.status()).as("answer " + i + ": " + response).isEqualTo(i % 4 == 3 ? 400 : 200);
        assertSane(response, "POST", "pipelined request " + i);
      }
    }
  }

  // ---- memory ------------------------------------------------------------------------

  @Test
  void bodiesOverTheLimitAndDeepJsonLeaveNoMemoryBehind() throws IOException {
    long before = usedHeapAfterGc();
    byte[] tooBig = ("{\"input\": \"" + "z".repeat(10 * 1024 * 1024 + 10) + "\"}").getBytes(StandardCharsets.UTF_8);
    String deep = "{\"input\": " + "[".repeat(500_000) + "}";
    for (int i = 0; i < 10; i++) {
      assertRefused(post("/v2/open/run", tooBig), 413, "an 11 MB body");
      assertRefused(post("/v2/open/run", deep), 400, "500 000 open brackets");
    }
    long after = usedHeapAfterGc();
    assertThat(after - before).as("heap growth in bytes after 10 x (11 MB + 500 KB) hostile bodies")
        .isLessThan(64L * 1024 * 1024);
  }

  static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }

  // ---- random requests ------------------------------------------------------------------

  private static final long FUZZ_SEED = Long.getLong("runline.fuzz.seed", 20_260_101L);
  private static final int FUZZ_REQUESTS = Integer.getInteger("runline.fuzz.requests", 1000);
  /**
   * Request {@code i} is drawn from its own {@link Random} seeded with {@code seed + i * step}, so
   * that one request can be sent alone: with that seed and a count of 1. The step is odd, so the
   * 48 bits of the seed that {@link Random} keeps differ for every request.
   */
  private static final long SEED_STEP = 0x9E3779B97F4A7C15L;

  /** Any request, however odd, is answered below 500, and a 4xx carries the JSON error body. */
  @Test
  void anyRequestIsAnsweredBelow500AndEvery4xxCarriesAJsonError() throws IOException {
    System.out.println("HostileInputTest: sending " + FUZZ_REQUESTS + " random requests, -Drunline.fuzz.seed="
        + FUZZ_SEED);
    Map<Integer, Integer> statuses = new TreeMap<>();
    try (TestServer fuzzServer = TestServer.start()) {
      for (int i = 0; i < FUZZ_REQUESTS; i++) {
        long seed = FUZZ_SEED + i * SEED_STEP;
        FuzzRequest request = FuzzRequest.random(new Random(seed));
        String what = "random request " + i + " of -Drunline.fuzz.seed=" + FUZZ_SEED + " (alone: -Drunline.fuzz.seed="
            + seed + " -Drunline.fuzz.requests=1): " + request;
        Response response;
        try {
          response = RawHttp.exchange(fuzzServer.port(), request.bytes(), ANSWER);
        } catch (IOException e) {
          throw new AssertionError(what + ": " + e, e);
        }
        statuses.merge(response.status(), 1, Integer::sum);
        assertSane(response, request.method(), what);
      }
      assertServes(fuzzServer.port(), "after the random requests");
    }
    System.out.println("HostileInputTest: sent " + FUZZ_REQUESTS + " random requests; answers by status " + statuses);
  }

  /** A generated request; {@link #bytes()} frames it correctly (true Content-Length, Connection: close). */
  record FuzzRequest(String method, String path, List<String> headers, byte[] body) {
    byte[] bytes() {
      return RawHttp.request(method, path, String.join("\r\n", headers), body);
    }

    @Override
    public String toString() {
      String text = body == null ? "(no body)" : new String(body, StandardCharsets.UTF_8);
      return method + " " + path + " " + headers + " " + (text.length() > 500 ? text.substring(0, 500) + "..." : text);
    }

    /**
     * Mostly POSTs and GETs on the API's routes of existing endpoints, with every kind of id,
     * query, key, content type and body; now and then an odd method, endpoint or path.
     */
    static FuzzRequest random(Random random) {
      String method = switch (weighted(random, 6, 3, 2)) {
        case 0 -> "POST";
        case 1 -> "GET";
        default -> pick(random, "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO", "get");
      };
      String path = switch (weighted(random, 12, 1, 1)) {
        case 0 -> "/v2/" + endpoint(random) + "/" + route(random) + query(random);
        case 1 -> pick(random, "/ping", "/metrics", "/", "/v2", "//", "/v3/x", "/v2/open/run?wait=1");
        default -> "/" + encode(printable(random, 60));
      };
      List<String> headers = Stream.of(
              pick(random, "Authorization: Bearer " + KEY, "Authorization: Bearer " + OTHER_KEY,
                  "Authorization: " + KEY, "Authorization: Bearer Bearer " + KEY, "Authorization: Bearer",
                  "Authorization: ", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer " + "k".repeat(4000),
                  "", "", "Authorization: Bearer " + KEY + "\r\nAuthorization: Bearer " + OTHER_KEY),
              pick(random, "Content-Type: application/json", "Content-Type: application/json", "",
                  "Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
                  "Content-Type: multipart/form-data; boundary=xyz", "Content-Type: multipart/form-data",
                  "Content-Type: application/json; charset=latin1",
                  "Content-Encoding: gzip\r\nContent-Type: application/json"),
              pick(random, "", "", "Accept: application/json", "Accept: text/event-stream", "Accept: */*"))
          .filter(h -> !h.isEmpty()).toList();
      byte[] body = switch (weighted(random, 6, 3, 1, 1)) {
        case 0 -> requestBody(random).getBytes(StandardCharsets.UTF_8);
        case 1 -> mutated(random, requestBody(random));
        case 2 -> {
          byte[] bytes = new byte[random.nextInt(201)];
          random.nextBytes(bytes);
          yield bytes;
        }
        default -> null;
      };
      return new FuzzRequest(method, path, headers, body);
    }
  }

  /** The index of one of the choices, each drawn in proportion to its weight. */
  private static int weighted(Random random, int... weights) {
    int n = random.nextInt(Arrays.stream(weights).sum());
    for (int i = 0; ; i++) {
      n -= weights[i];
      if (n < 0) {
        return i;
      }
    }
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String endpoint(Random random) {
    return switch (weighted(random, 6, 1, 1)) {
      case 0 -> pick(random, "open", "echo", "fail");
      case 1 -> pick(random, "nope", "", "ECHO", "e%00cho", "%ff", "..", "%2e%2e", "x".repeat(300));
      default -> encode(printable(random, 20));
    };
  }

  private static String route(Random random) {
    String route = pick(random, "run", "runsync", "status/", "status-sync/", "stream/", "cancel/", "retry/", "health",
        "purge-queue", "", "run/", "status", "nope/");
    return route.endsWith("/") ? route + id(random) : route;
  }

  private static String id(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> new UUID(random.nextLong(), random.nextLong()).toString();
      case 1 -> pick(random, "", "..", "%2F", "%00", "sync-", "%", "%zz", "a/b", "x".repeat(1500));
      default -> encode(anyString(random, 30));
    };
  }

  private static String query(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "";
      case 1 -> "?wait=" + clampWait(number(random));
      case 2 -> "?ttl=" + number(random);
      default -> "?wait=" + clampWait(number(random)) + "&ttl=" + number(random) + "&x=%";
    };
  }

  private static String number(Random random) {
    return random.nextBoolean() ? String.valueOf(-5 + random.nextInt(400_006))
        : pick(random, "", "abc", "1e3", "1.5", "-0", "99999999999999999999999", "%20", "0x10", "NaN");
  }

  /** A runsync wait is kept short, so the random requests never wait on a slow job. */
  private static String clampWait(String n) {
    try {
      long value = Long.parseLong(n);
      return value > 5000 ? "5000" : n;
    } catch (NumberFormatException e) {
      return n;
    }
  }

  private static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~%".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  /** Up to {@code max} characters from {@code '!'} to {@code '~'}. */
  private static String printable(Random random, int max) {
    StringBuilder s = new StringBuilder();
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      s.append((char) ('!' + random.nextInt('~' - '!' + 1)));
    }
    return s.toString();
  }

  /** Up to {@code max} ASCII letters. */
  private static String alpha(Random random, int max) {
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    StringBuilder s = new StringBuilder();
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      s.append(letters.charAt(random.nextInt(letters.length())));
    }
    return s.toString();
  }

  /** Characters a uniform draw over all of UTF-16 would hardly ever give, and that parsers trip on. */
  private static final String EDGE_CHARS = "\u0000\t\n \"\\/\u007f\u0080\u00ff\u2028\u202e\ud800\udfff\ufeff\uffff";

  /**
   * Up to {@code max} characters of all of UTF-16, lone surrogates included; one in eight is
   * one of {@link #EDGE_CHARS}.
   */
  private static String anyString(Random random, int max) {
    StringBuilder s = new StringBuilder();
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      s.append(random.nextInt(8) == 0 ? EDGE_CHARS.charAt(random.nextInt(EDGE_CHARS.length()))
          : (char) random.nextInt(Character.MAX_VALUE + 1));
    }
    return s.toString();
  }

  /** Any long: small ones, the extremes, or any of the 2^64. */
  private static long anyLong(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> random.nextInt(2001) - 1000;
      case 1 -> pick(random, 0L, 1L, -1L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, Long.MAX_VALUE,
          Long.MIN_VALUE);
      default -> random.nextLong();
    };
  }

  /** Any finite double, written as Java writes it: ordinary ones, the extremes, or any bit pattern. */
  private static String anyDouble(Random random) {
    double value = switch (random.nextInt(3)) {
      case 0 -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(20));
      case 1 -> pick(random, 0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
          -Double.MAX_VALUE);
      default -> Double.longBitsToDouble(random.nextLong());
    };
    return Double.isFinite(value) ? String.valueOf(value) : "0.0";
  }

  /** JSON-ish request bodies: mostly well-formed, with values of every type in every field. */
  static String requestBody(Random random) {
    List<String> entries = new ArrayList<>();
    for (int n = random.nextInt(6); n > 0; n--) {
      entries.add(switch (weighted(random, 5, 2, 1, 2, 1, 1)) {
        case 0 -> "\"input\": " + jsonValue(random, 3);
        case 1 -> "\"webhook\": " + webhook(random);
        case 2 -> "\"webhookV2\": " + webhook(random);
        case 3 -> "\"policy\": " + policy(random);
        case 4 -> "\"s3Config\": " + jsonValue(random, 3);
        default -> key(random) + ": " + jsonValue(random, 3);
      });
    }
    return "{" + String.join(", ", entries) + "}";
  }

  private static String webhook(Random random) {
    return random.nextBoolean() ? jsonValue(random, 3)
        : quote(pick(random, "http://127.0.0.1:9/hook", "https://127.0.0.1:9/h", "ftp://x/y", "file:///etc/passwd",
            "javascript:alert(1)", "gopher://x", "http://", "http:///x", "//x/y", "http://[::1", "http://x:99999/",
            "jar:http://x!/y", "data:text/plain,hi", "HTTP://127.0.0.1:9/"));
  }

  private static String policy(Random random) {
    return random.nextBoolean() ? jsonValue(random, 3)
        : "{\"executionTimeout\": " + millis(random) + ", \"ttl\": " + millis(random) + ", \"lowPriority\": "
            + pick(random, "true", "false", "null", "1", "\"true\"") + "}";
  }

  private static String millis(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> jsonValue(random, 3);
      case 1 -> String.valueOf(-1 + random.nextInt(700_000_002));
      default -> pick(random, "5000", "10000", "604800000", "604800001", "4999", "9999", "1e4", "10000.0");
    };
  }

  private static String key(Random random) {
    return random.nextBoolean() ? pick(random, "\"input\"", "\"Input\"", "\"\"", "\"policy\"", "\"__proto__\"")
        : quote(alpha(random, 8));
  }

  /** A JSON value nested at most {@code depth} deep: a leaf four times in six, else an array or an object. */
  static String jsonValue(Random random, int depth) {
    int kind = depth == 0 ? 0 : weighted(random, 4, 1, 1);
    if (kind == 0) {
      return switch (random.nextInt(5)) {
        case 0 -> pick(random, "null", "true", "false", "0", "-0", "1.5e300", "1e999", "-1e-999",
            "123456789012345678901234567890");
        case 1 -> String.valueOf(anyLong(random));
        case 2 -> anyDouble(random);
        case 3 -> quote(anyString(random, 20));
        default -> pick(random, "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"\\\"\"", "\"\u202e\u0000\"",
            "\"" + "a".repeat(10_000) + "\"", "9".repeat(200));
      };
    }
    List<String> items = new ArrayList<>();
    for (int n = random.nextInt(5); n > 0; n--) {
      items.add(kind == 1 ? jsonValue(random, depth - 1) : key(random) + ":" + jsonValue(random, depth - 1));
    }
    return kind == 1 ? "[" + String.join(",", items) + "]" : "{" + String.join(",", items) + "}";
  }

  /** A JSON string literal of {@code s}, escaping what JSON requires (and nothing more). */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** {@code body} cut short, with a byte changed, with invalid UTF-8 inserted, or twice over. */
  static byte[] mutated(Random random, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    int i = bytes.length == 0 ? 0 : random.nextInt(10_001) % bytes.length;
    int b = random.nextInt(256);
    return switch (random.nextInt(4)) {
      case 0 -> Arrays.copyOf(bytes, i);
      case 1 -> {
        byte[] copy = bytes.clone();
        if (copy.length > 0) {
          copy[i] = (byte) b;
        }
        yield copy;
      }
      case 2 -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, i);
        out.write(0x80 | (b & 0x7f));
        out.write(bytes, i, bytes.length - i);
        yield out.toByteArray();
      }
      default -> (body + body).getBytes(StandardCharsets.UTF_8);
    };
  }
}
