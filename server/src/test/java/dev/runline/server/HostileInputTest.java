package dev.runline.server;

import static dev.runline.server.TestServer.KEY;
import static dev.runline.server.TestServer.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.server.RawHttp.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
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
 * answering everyone else promptly (checked after every test).
 *
 * <p>Requests go over raw sockets ({@link RawHttp}) so that anything can be sent. The server
 * runs with a 2-second idle timeout so that slow clients are seen being cut off quickly. The
 * jqwik property at the end sends random requests (methods, paths, headers and JSON-ish
 * bodies) to a second server with the default options; {@code jqwik.tries.default} sets how
 * many (1000 by default, 20000 with {@code -Pfull}).
 */
class HostileInputTest {
  private static final int IDLE_TIMEOUT_SECONDS = 2;
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final Duration PROMPTLY = Duration.ofSeconds(2);
  private static final String AUTH = "Authorization: Bearer " + KEY;
  private static final Pattern STACK_FRAME = Pattern.compile("\\bat [\\w$]+(\\.[\\w$]+)+\\(|Caused by:|\\tat ");

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(new RunlineServer.Options("127.0.0.1", 0, 16 * 1024, IDLE_TIMEOUT_SECONDS));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** After every hostile test the server still answers a plain request at once. */
  @AfterEach
  void theServerStillAnswersPromptly() throws IOException {
    long start = System.nanoTime();
    Response ping = RawHttp.exchange(server.port(), RawHttp.request("GET", "/ping", "", null), ANSWER);
    assertThat(ping.status()).as("GET /ping after the test").isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to answer /ping").isLessThan(PROMPTLY);
  }

  // ---- checks ------------------------------------------------------------------------

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
    var jobs = server.engine.healthOf(endpoint).jobs();
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
    server.engine.cancel(KEY, "open", whole.json().path("id").asText());
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
  void clientsTricklingTheirBodiesDoNotSlowOthers() throws IOException {
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
      long slowest = 0;
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
        long t = System.nanoTime();
        assertThat(send("GET", "/ping", "", null).status()).isEqualTo(200);
        slowest = Math.max(slowest, System.nanoTime() - t);
        // The read paces the trickle: it waits up to 200 ms for the server to close one.
        RawHttp.closedByServer(slow.get(0), Duration.ofMillis(200));
      }
      System.out.println("HostileInputTest: " + open + " of " + slow.size() + " clients trickling a body were still "
          + "connected after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms (idle timeout "
          + IDLE_TIMEOUT_SECONDS + " s)");
      assertThat(Duration.ofNanos(slowest)).as("slowest /ping while 50 clients trickle").isLessThan(PROMPTLY);
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void aContentLengthFarOverTheLimitIs413AtOnceWithoutReadingTheBody() throws IOException {
    try (Socket socket = RawHttp.open(server.port(), ANSWER)) {
      long start = System.nanoTime();
      socket.getOutputStream().write(("POST /v2/open/run HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{\"input\": ")
          .getBytes(StandardCharsets.ISO_8859_1));
      Response response = RawHttp.read(socket.getInputStream(), ANSWER);
      assertRefused(response, 413, "Content-Length 99999999999");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
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
        long start = System.nanoTime();
        Response other = post("/v2/open/runsync?wait=5000", "{\"input\": " + i + "}");
        assertThat(other.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
      }
      Response answer = RawHttp.read(liar.getInputStream(), Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5));
      if (answer.status() != -1) {
        assertSane(answer, "POST", "the answer to a body that never came");
      }
      assertThat(RawHttp.closedByServer(liar, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5)))
          .as("the server closed the connection that never sent its body").isTrue();
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
      // What follows is garbage to HTTP ('ut": 1}POST ...'): refused or the connection closed.
      Response second = RawHttp.read(socket.getInputStream(), ANSWER);
      if (second.status() != -1) {
        assertThat(second.status()).as("the leftover bytes: " + second).isBetween(400, 499);
      }
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
        Response response = RawHttp.read(socket.getInputStream(), ANSWER);
        if (response.status() != -1) {
          assertSane(response, "POST", "a body cut by the client");
        }
      }
    }
  }

  // ---- slow clients and half-open connections --------------------------------------------

  @Test
  void aClientThatStopsInTheMiddleOfItsHeadersIsClosedAfterTheIdleTimeout() throws IOException {
    try (Socket slow = RawHttp.open(server.port(), ANSWER)) {
      slow.getOutputStream().write(("GET /v2/echo/health HTTP/1.1\r\nHost: x\r\n" + AUTH.substring(0, 20))
          .getBytes(StandardCharsets.ISO_8859_1));
      long start = System.nanoTime();
      assertThat(RawHttp.closedByServer(slow, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 5)))
          .as("closed by the idle timeout").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThan(Duration.ofSeconds(IDLE_TIMEOUT_SECONDS).minusMillis(500));
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
  void hundredsOfHalfOpenConnectionsDoNotSlowOthersAndAreAllClosedByTheServer() throws IOException {
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
      long slowest = 0;
      for (int i = 0; i < 20; i++) {
        long start = System.nanoTime();
        Response response = i % 2 == 0 ? send("GET", "/ping", "", null)
            : post("/v2/open/runsync?wait=5000", "{\"input\": " + i + "}");
        slowest = Math.max(slowest, System.nanoTime() - start);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
      }
      assertThat(Duration.ofNanos(slowest)).as("slowest answer with 300 half-open connections").isLessThan(PROMPTLY);
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

  // ---- the fuzzing property --------------------------------------------------------------

  private static TestServer fuzzServer;
  private static final AtomicInteger FUZZED = new AtomicInteger();
  private static final Map<Integer, AtomicInteger> FUZZ_STATUSES = new ConcurrentHashMap<>();

  @BeforeContainer
  static void startFuzzServer() {
    fuzzServer = TestServer.start();
  }

  @AfterContainer
  static void stopFuzzServer() throws IOException {
    try {
      Response ping = RawHttp.exchange(fuzzServer.port(), RawHttp.request("GET", "/ping", "", null), ANSWER);
      assertThat(ping.status()).as("/ping after the fuzzing").isEqualTo(200);
      Map<Integer, Integer> statuses = new TreeMap<>();
      FUZZ_STATUSES.forEach((status, n) -> statuses.put(status, n.get()));
      System.out.println("HostileInputTest: fuzzed " + FUZZED.get() + " requests; answers by status " + statuses);
    } finally {
      fuzzServer.close();
    }
  }

  /** Any request, however odd, is answered below 500, and a 4xx carries the JSON error body. */
  @Property
  void anyRequestIsAnsweredBelow500AndEvery4xxCarriesAJsonError(@ForAll("requests") FuzzRequest request)
      throws IOException {
    Response response = RawHttp.exchange(fuzzServer.port(), request.bytes(), ANSWER);
    FUZZED.incrementAndGet();
    FUZZ_STATUSES.computeIfAbsent(response.status(), s -> new AtomicInteger()).incrementAndGet();
    assertSane(response, request.method(), request.toString());
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
  }

  @Provide
  Arbitrary<FuzzRequest> requests() {
    Arbitrary<String> method = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.just("POST")), net.jqwik.api.Tuple.of(3, Arbitraries.just("GET")),
        net.jqwik.api.Tuple.of(2, Arbitraries.of("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO", "get")));
    Arbitrary<String> endpoint = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.of("open", "echo", "fail")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("nope", "", "ECHO", "e%00cho", "%ff", "..", "%2e%2e", "x".repeat(300))),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMaxLength(20).map(HostileInputTest::encode)));
    Arbitrary<String> id = Arbitraries.oneOf(
        Arbitraries.create(() -> java.util.UUID.randomUUID().toString()),
        Arbitraries.of("", "..", "%2F", "%00", "sync-", "%", "%zz", "a/b", "x".repeat(1500)),
        Arbitraries.strings().all().ofMaxLength(30).map(HostileInputTest::encode));
    Arbitrary<String> route = Combinators.combine(
        Arbitraries.of("run", "runsync", "status/", "status-sync/", "stream/", "cancel/", "retry/", "health",
            "purge-queue", "", "run/", "status", "nope/"), id)
        .as((r, i) -> r.endsWith("/") ? r + i : r);
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.longs().between(-5, 400_000).map(String::valueOf),
        Arbitraries.of("", "abc", "1e3", "1.5", "-0", "99999999999999999999999", "%20", "0x10", "NaN"));
    Arbitrary<String> query = Arbitraries.oneOf(
        Arbitraries.just(""),
        number.map(n -> "?wait=" + clampWait(n)),
        number.map(n -> "?ttl=" + n),
        Combinators.combine(number, number).as((a, b) -> "?wait=" + clampWait(a) + "&ttl=" + b + "&x=%"));
    Arbitrary<String> path = Combinators.combine(endpoint, route, query).as((e, r, q) -> "/v2/" + e + "/" + r + q);
    Arbitrary<String> anyPath = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, path),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("/ping", "/metrics", "/", "/v2", "//", "/v3/x", "/v2/open/run?wait=1")),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMaxLength(60)
            .map(s -> "/" + encode(s))));
    Arbitrary<String> auth = Arbitraries.of("Authorization: Bearer " + KEY, "Authorization: Bearer " + OTHER_KEY,
        "Authorization: " + KEY, "Authorization: Bearer Bearer " + KEY, "Authorization: Bearer", "Authorization: ",
        "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer " + "k".repeat(4000), "", "",
        "Authorization: Bearer " + KEY + "\r\nAuthorization: Bearer " + OTHER_KEY);
    Arbitrary<String> contentType = Arbitraries.of("Content-Type: application/json", "Content-Type: application/json",
        "", "Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded",
        "Content-Type: multipart/form-data; boundary=xyz", "Content-Type: multipart/form-data",
        "Content-Type: application/json; charset=latin1", "Content-Encoding: gzip\r\nContent-Type: application/json");
    Arbitrary<String> accept = Arbitraries.of("", "", "Accept: application/json", "Accept: text/event-stream", "Accept: */*");
    Arbitrary<List<String>> headers = Combinators.combine(auth, contentType, accept)
        .as((a, c, x) -> Stream.of(a, c, x).filter(h -> !h.isEmpty()).toList());
    Arbitrary<byte[]> body = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, requestBody().map(s -> s.getBytes(StandardCharsets.UTF_8))),
        net.jqwik.api.Tuple.of(3, mutated(requestBody())),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((byte[]) null)));
    return Combinators.combine(method, anyPath, headers, body).as(FuzzRequest::new);
  }

  /** A runsync wait is kept short, so the fuzzing never waits on a slow job. */
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

  /** JSON-ish request bodies: mostly well-formed, with values of every type in every field. */
  static Arbitrary<String> requestBody() {
    Arbitrary<String> value = jsonValue(3);
    Arbitrary<String> webhook = Arbitraries.oneOf(value,
        Arbitraries.of("http://127.0.0.1:9/hook", "https://127.0.0.1:9/h", "ftp://x/y", "file:///etc/passwd",
            "javascript:alert(1)", "gopher://x", "http://", "http:///x", "//x/y", "http://[::1", "http://x:99999/",
            "jar:http://x!/y", "data:text/plain,hi", "HTTP://127.0.0.1:9/").map(s -> quote(s)));
    Arbitrary<String> millis = Arbitraries.oneOf(value,
        Arbitraries.longs().between(-1, 700_000_000L).map(String::valueOf),
        Arbitraries.of("5000", "10000", "604800000", "604800001", "4999", "9999", "1e4", "10000.0"));
    Arbitrary<String> policy = Arbitraries.oneOf(value,
        Combinators.combine(millis, millis, Arbitraries.of("true", "false", "null", "1", "\"true\"")).as(
            (e, t, l) -> "{\"executionTimeout\": " + e + ", \"ttl\": " + t + ", \"lowPriority\": " + l + "}"));
    Arbitrary<String> entry = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, value.map(v -> "\"input\": " + v)),
        net.jqwik.api.Tuple.of(2, webhook.map(v -> "\"webhook\": " + v)),
        net.jqwik.api.Tuple.of(1, webhook.map(v -> "\"webhookV2\": " + v)),
        net.jqwik.api.Tuple.of(2, policy.map(v -> "\"policy\": " + v)),
        net.jqwik.api.Tuple.of(1, value.map(v -> "\"s3Config\": " + v)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(key(), value).as((k, v) -> k + ": " + v)));
    return entry.list().ofMaxSize(5).map(entries -> "{" + String.join(", ", entries) + "}");
  }

  private static Arbitrary<String> key() {
    return Arbitraries.oneOf(Arbitraries.of("\"input\"", "\"Input\"", "\"\"", "\"policy\"", "\"__proto__\""),
        Arbitraries.strings().alpha().ofMaxLength(8).map(HostileInputTest::quote));
  }

  static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> leaf = Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "0", "-0", "1.5e300", "1e999", "-1e-999", "123456789012345678901234567890"),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")),
        Arbitraries.strings().all().ofMaxLength(20).map(HostileInputTest::quote),
        Arbitraries.of("\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"\\\"\"", "\"\u202e\u0000\"",
            "\"" + "a".repeat(10_000) + "\"", "9".repeat(200)));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> inner = jsonValue(depth - 1);
    Arbitrary<String> array = inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
    Arbitrary<String> object = Combinators.combine(key(), inner).as((k, v) -> k + ":" + v).list().ofMaxSize(4)
        .map(items -> "{" + String.join(",", items) + "}");
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, leaf), net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(1, object));
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

  /** {@code bodies} cut short, with a byte changed, or with invalid UTF-8 inserted. */
  static Arbitrary<byte[]> mutated(Arbitrary<String> bodies) {
    return Combinators.combine(bodies, Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 255)).as((s, at, how, b) -> {
          byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
          int i = bytes.length == 0 ? 0 : at % bytes.length;
          return switch (how) {
            case 0 -> Arrays.copyOf(bytes, i);
            case 1 -> {
              byte[] copy = bytes.clone();
              if (copy.length > 0) {
                copy[i] = (byte) b.intValue();
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
            default -> (s + s).getBytes(StandardCharsets.UTF_8);
          };
        });
  }
}
