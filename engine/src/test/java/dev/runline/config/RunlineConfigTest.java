package dev.runline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.IntakeWaitStrategy;
import dev.runline.Policy;
import dev.runline.Route;
import dev.runline.RouteLimit;
import dev.runline.Runline;
import dev.runline.RunlineBuilder;
import dev.runline.RunlineBuilderProbe;
import dev.runline.ShutdownMode;
import dev.runline.StreamingHandler;
import dev.runline.Work;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunlineConfigTest {
  static final Handler ECHO = job -> job.input();
  static final StreamingHandler TOKENS = (job, sink) -> {
    sink.emit("a");
    sink.emit("b");
  };
  static final HandlerRegistry HANDLERS = HandlerRegistry.builder()
      .handler("echo", ECHO)
      .streaming("tokens", TOKENS)
      .build();

  static Path example() {
    try {
      return Path.of(RunlineConfigTest.class.getResource("/runline-example.yaml").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static RunlineConfig parse(String yaml) {
    return RunlineConfig.parse(new StringReader(yaml), "test.yaml", HANDLERS);
  }

  @Test
  void theExampleFileSetsEveryEngineSetting() {
    RunlineConfig config = RunlineConfig.parse(example(), HANDLERS);

    assertThat(config.source()).endsWith("runline-example.yaml");
    assertThat(config.apiKeys()).containsExactly("key-one-xxxxxxxx", "key-two-yyyyyyyy");
    assertThat(config.shutdownMode()).contains(ShutdownMode.CANCEL);
    assertThat(config.shutdownTimeout()).contains(Duration.ofSeconds(45));
    assertThat(config.webhookAttempts()).hasValue(5);
    assertThat(config.webhookRetryInterval()).contains(Duration.ofSeconds(2));
    assertThat(config.webhookTimeout()).contains(Duration.ofMillis(1500));
    assertThat(config.intakeWaitStrategy()).contains(IntakeWaitStrategy.LITE_BLOCKING);
    assertThat(config.endpoints()).containsOnlyKeys("echo", "tokens");
    assertThat(config.toString()).doesNotContain("key-one-xxxxxxxx");
  }

  @Test
  void theExampleFileSetsEveryEndpointSetting() {
    Map<String, Endpoint> endpoints = RunlineConfig.parse(example(), HANDLERS).endpoints();

    Endpoint echo = endpoints.get("echo");
    assertThat(echo.name()).isEqualTo("echo");
    assertThat(echo.work()).isEqualTo(new Work.Plain(ECHO));
    assertThat(echo.backend()).isEqualTo("cpu");
    assertThat(echo.backendSettings())
        .containsExactly(Map.entry("pinThreads", true), Map.entry("device", 0), Map.entry("tags", List.of("a", "b")));
    assertThat(echo.workers()).isEqualTo(4);
    assertThat(echo.queueCapacity()).isEqualTo(1024);
    assertThat(echo.returnAggregateStream()).isFalse();
    assertThat(echo.runRetention()).isEqualTo(Duration.ofHours(2));
    assertThat(echo.runSyncRetention()).isEqualTo(Duration.ofSeconds(90));
    assertThat(echo.defaultPolicy()).isEqualTo(new Policy(Duration.ofMinutes(5), Duration.ofDays(7), false));
    assertThat(echo.limit(Route.RUN)).isEqualTo(RouteLimit.of(500, Duration.ofSeconds(1), 50));
    assertThat(echo.limit(Route.STATUS)).isEqualTo(RouteLimit.of(2000, Duration.ofSeconds(10), 10));
    assertThat(echo.limit(Route.PURGE_QUEUE)).isEqualTo(RouteLimit.of(2, Duration.ofSeconds(10), 0));
    assertThat(echo.limit(Route.HEALTH)).isEqualTo(RouteLimit.UNLIMITED);
    assertThat(echo.limit(Route.RUNSYNC)).isEqualTo(Route.RUNSYNC.defaultLimit());

    Endpoint tokens = endpoints.get("tokens");
    assertThat(tokens.work()).isEqualTo(new Work.Streaming(TOKENS));
    assertThat(tokens.backend()).isEqualTo("cpu");
    assertThat(tokens.workers()).isEqualTo(2);
    assertThat(tokens.returnAggregateStream()).isTrue();
    for (Route route : Route.values()) {
      assertThat(tokens.limit(route)).as(route.path()).isEqualTo(RouteLimit.UNLIMITED);
    }
  }

  @Test
  void loadHandsEverySettingToTheBuilder() {
    RunlineBuilder builder = RunlineConfig.load(example(), HANDLERS);

    assertThat(RunlineBuilderProbe.apiKeys(builder)).containsExactly("key-one-xxxxxxxx", "key-two-yyyyyyyy");
    assertThat(RunlineBuilderProbe.shutdownMode(builder)).isEqualTo(ShutdownMode.CANCEL);
    assertThat(RunlineBuilderProbe.shutdownTimeout(builder)).isEqualTo(Duration.ofSeconds(45));
    assertThat(RunlineBuilderProbe.webhookAttempts(builder)).isEqualTo(5);
    assertThat(RunlineBuilderProbe.webhookRetryInterval(builder)).isEqualTo(Duration.ofSeconds(2));
    assertThat(RunlineBuilderProbe.webhookTimeout(builder)).isEqualTo(Duration.ofMillis(1500));
    assertThat(RunlineBuilderProbe.intakeWaitStrategy(builder)).isEqualTo(IntakeWaitStrategy.LITE_BLOCKING);
    assertThat(RunlineBuilderProbe.endpoints(builder)).containsOnlyKeys("echo", "tokens");
    assertThat(RunlineBuilderProbe.endpoints(builder).get("echo").workers()).isEqualTo(4);
  }

  @Test
  void settingsTheFileLeavesOutKeepTheBuilderValues() {
    RunlineBuilder builder = Runline.builder()
        .apiKeys("host-key-zzzzzzzz")
        .shutdownMode(ShutdownMode.CANCEL)
        .webhookAttempts(7);

    parse("webhook: { timeout: 3s }\nendpoints: { echo: { handler: echo } }").applyTo(builder);

    RunlineBuilder fresh = Runline.builder();
    assertThat(RunlineBuilderProbe.apiKeys(builder)).containsExactly("host-key-zzzzzzzz");
    assertThat(RunlineBuilderProbe.shutdownMode(builder)).isEqualTo(ShutdownMode.CANCEL);
    assertThat(RunlineBuilderProbe.webhookAttempts(builder)).isEqualTo(7);
    assertThat(RunlineBuilderProbe.webhookTimeout(builder)).isEqualTo(Duration.ofSeconds(3));
    assertThat(RunlineBuilderProbe.shutdownTimeout(builder)).isEqualTo(RunlineBuilderProbe.shutdownTimeout(fresh));
    assertThat(RunlineBuilderProbe.intakeWaitStrategy(builder)).isEqualTo(RunlineBuilderProbe.intakeWaitStrategy(fresh));
  }

  @Test
  void anEndpointWithOnlyAHandlerHasTheBuilderDefaults() {
    Endpoint echo = parse("endpoints: { echo: { handler: echo } }").endpoints().get("echo");
    Endpoint built = Endpoint.builder("echo").handler(ECHO).build();

    assertThat(echo.backend()).isEqualTo(built.backend()).isEqualTo("cpu");
    assertThat(echo.workers()).isEqualTo(built.workers());
    assertThat(echo.queueCapacity()).isEqualTo(built.queueCapacity());
    assertThat(echo.runRetention()).isEqualTo(built.runRetention());
    assertThat(echo.runSyncRetention()).isEqualTo(built.runSyncRetention());
    assertThat(echo.defaultPolicy()).isEqualTo(built.defaultPolicy());
    assertThat(echo.backendSettings()).isEmpty();
    for (Route route : Route.values()) {
      assertThat(echo.limit(route)).isEqualTo(route.defaultLimit());
    }
  }

  @Test
  void emptyValuesKeepTheDefaults() {
    RunlineConfig config = parse("""
        apiKeys:
        shutdown:
        endpoints:
          echo:
            handler: echo
            workers:
            policy: ~
            limits:
        """);

    assertThat(config.apiKeys()).isEmpty();
    assertThat(config.shutdownMode()).isEmpty();
    assertThat(config.endpoints().get("echo").defaultPolicy()).isEqualTo(Policy.DEFAULT);
  }

  @Test
  void anEmptyFileSetsNothing() {
    RunlineConfig config = parse("# nothing yet\n");

    assertThat(config.endpoints()).isEmpty();
    assertThat(config.apiKeys()).isEmpty();
    assertThat(config.shutdownTimeout()).isEmpty();
    assertThat(config.webhookAttempts()).isEmpty();
  }

  @Test
  void movingAnEndpointToAnotherBackendIsOneLine() throws IOException {
    String original = Files.readString(example());
    String moved = original.replace("    backend: cpu ", "    backend: cuda");
    assertThat(diffLines(original, moved)).isEqualTo(1);

    Endpoint before = RunlineConfig.parse(new StringReader(original), "before.yaml", HANDLERS).endpoints().get("echo");
    Endpoint after = RunlineConfig.parse(new StringReader(moved), "after.yaml", HANDLERS).endpoints().get("echo");

    assertThat(before.backend()).isEqualTo("cpu");
    assertThat(after.backend()).isEqualTo("cuda");
    assertThat(after.backendSettings()).isEqualTo(before.backendSettings());
    assertThat(after.workers()).isEqualTo(before.workers());
    assertThat(after.work()).isEqualTo(before.work());
    for (Route route : Route.values()) {
      assertThat(after.limit(route)).isEqualTo(before.limit(route));
    }
  }

  private static long diffLines(String a, String b) {
    List<String> left = a.lines().toList();
    List<String> right = b.lines().toList();
    assertThat(right).hasSameSizeAs(left);
    return java.util.stream.IntStream.range(0, left.size()).filter(i -> !left.get(i).equals(right.get(i))).count();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "500ms      | 500",
      "10s        | 10000",
      "30m        | 1800000",
      "24h        | 86400000",
      "7d         | 604800000",
      "1500       | 1500",
      "\"1500\"   | 1500",
      "\"10 s\"   | 10000",
      "0          | 0",
  })
  void durationsTakeAUnitOrMilliseconds(String written, long millis) {
    RunlineConfig config = parse("shutdown: { timeout: " + written + " }");

    assertThat(config.shutdownTimeout()).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource({
      "blocking, BLOCKING",
      "BUSY_SPIN, BUSY_SPIN",
      "busy-spin, BUSY_SPIN",
      "Lite_Blocking, LITE_BLOCKING",
      "sleeping, SLEEPING",
      "yielding, YIELDING",
  })
  void choicesIgnoreCaseAndAcceptHyphens(String written, IntakeWaitStrategy expected) {
    assertThat(parse("intake: { waitStrategy: " + written + " }").intakeWaitStrategy()).contains(expected);
  }

  @Test
  void aHandlerMayBeAClassName() {
    RunlineConfig config = parse("""
        endpoints:
          upper: { handler: dev.runline.config.TestHandlers$Upper }
          letters: { handler: dev.runline.config.TestHandlers$Letters }
          other: { handler: dev.runline.config.TestHandlers$Upper }
        """);

    assertThat(((Work.Plain) config.endpoints().get("upper").work()).handler()).isInstanceOf(TestHandlers.Upper.class);
    assertThat(((Work.Streaming) config.endpoints().get("letters").work()).handler())
        .isInstanceOf(TestHandlers.Letters.class);
    assertThat(config.endpoints().get("other").work())
        .as("each endpoint gets its own instance")
        .isNotEqualTo(config.endpoints().get("upper").work());
  }

  @Test
  void oneRetentionOrPolicyValueKeepsTheOtherDefault() {
    Endpoint echo = parse("""
        endpoints:
          echo: { handler: echo, retention: { runSync: 5m }, policy: { ttl: 1h } }
        """).endpoints().get("echo");

    assertThat(echo.runRetention()).isEqualTo(Duration.ofMinutes(30));
    assertThat(echo.runSyncRetention()).isEqualTo(Duration.ofMinutes(5));
    assertThat(echo.defaultPolicy()).isEqualTo(Policy.DEFAULT.withTtl(Duration.ofHours(1)));
  }

  @Test
  void theWindowOfRecentJobsAndTheListingsLimitAreSettings() {
    Endpoint echo = parse("""
        endpoints:
          echo:
            handler: echo
            recentJobs: 500
            limits: { requests: { requests: 20, per: 10s, concurrent: 4 } }
        """).endpoints().get("echo");

    assertThat(echo.recentJobs()).isEqualTo(500);
    assertThat(echo.limit(Route.REQUESTS)).isEqualTo(RouteLimit.of(20, Duration.ofSeconds(10), 4));
    assertThat(parse("endpoints: { echo: { handler: echo } }").endpoints().get("echo").recentJobs())
        .as("the default window").isEqualTo(10_000);
  }

  @Test
  void aRouteCanBeSwitchedOffWithFalseOrOff() {
    Endpoint echo = parse("""
        endpoints:
          echo:
            handler: echo
            limits: { run: off, cancel: false, stream: 'OFF' }
        """).endpoints().get("echo");

    assertThat(echo.limit(Route.RUN)).isEqualTo(RouteLimit.UNLIMITED);
    assertThat(echo.limit(Route.CANCEL)).isEqualTo(RouteLimit.UNLIMITED);
    assertThat(echo.limit(Route.STREAM)).isEqualTo(RouteLimit.UNLIMITED);
    assertThat(echo.limit(Route.STATUS)).isEqualTo(Route.STATUS.defaultLimit());
  }

  @Test
  void anInputStreamIsReadAndLeftOpen() {
    boolean[] closed = {false};
    InputStream in = new FilterInputStream(new ByteArrayInputStream(
        "endpoints: { echo: { handler: echo, workers: 3 } }".getBytes(StandardCharsets.UTF_8))) {
      @Override
      public void close() throws IOException {
        closed[0] = true;
        super.close();
      }
    };

    RunlineBuilder builder = RunlineConfig.load(in, "stream.yaml", HANDLERS);

    assertThat(RunlineBuilderProbe.endpoints(builder).get("echo").workers()).isEqualTo(3);
    assertThat(closed[0]).isFalse();
  }

  @Test
  void aMissingFileIsAnIoFailureNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> RunlineConfig.load(missing, HANDLERS))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("absent.yaml");
  }

  @Test
  void startBuildsTheEngineAndSoChecksTheBackends(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("runline.yaml");
    Files.writeString(file, "endpoints: { echo: { handler: echo, backend: cuda } }");

    // No backend is on the engine module's test class path, so build() refuses by name.
    assertThatThrownBy(() -> RunlineConfig.start(file, HANDLERS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("endpoint 'echo'")
        .hasMessageContaining("'cuda'");
  }
}
