package dev.runline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each fault names the file, the full path of the key, the bad value and what is allowed. */
class RunlineConfigErrorsTest {
  private static final String ENDPOINT_KEYS =
      "handler, kernel, backend, backendSettings, workers, queueCapacity, returnAggregateStream, maxOutputBytes, recentJobs, retention, policy, limits";
  private static final String ROUTES = "run, runsync, status, status-sync, stream, cancel, retry, health, purge-queue, requests";

  static ConfigException failure(String yaml) {
    try {
      RunlineConfig.parse(new StringReader(yaml), "test.yaml", RunlineConfigTest.HANDLERS);
    } catch (ConfigException e) {
      assertThat(e).isInstanceOf(IllegalArgumentException.class);
      assertThat(e.source()).isEqualTo("test.yaml");
      assertThat(e.getMessage()).startsWith("test.yaml: ");
      return e;
    }
    return fail("expected a ConfigException for:\n" + yaml);
  }

  /** An endpoint {@code echo} with a valid handler and the given extra flow-style entries. */
  static ConfigException endpointFailure(String entries) {
    return failure("endpoints: { echo: { handler: echo, " + entries + " } }");
  }

  // Unknown keys, at every level.

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "endpoint: {}                                            | endpoint                     | at the top level are apiKeys, workerKeys, shutdown, webhook, intake, endpoints | endpoints",
      "shutdown: { mod: drain }                                | shutdown.mod                 | in shutdown are mode, timeout                                      | mode",
      "webhook: { retries: 2 }                                 | webhook.retries              | in webhook are attempts, retryInterval, timeout                    | ",
      "intake: { strategy: blocking }                          | intake.strategy              | in intake are waitStrategy                                         | ",
      "endpoints: { echo: { handler: echo, wokers: 4 } }       | endpoints.echo.wokers        | in endpoints.echo are " + ENDPOINT_KEYS + "                        | workers",
      "endpoints: { echo: { handler: echo, retention: { runsync: 1m } } } | endpoints.echo.retention.runsync | in endpoints.echo.retention are run, runSync | runSync",
      "endpoints: { echo: { handler: echo, policy: { timeout: 1m } } }    | endpoints.echo.policy.timeout    | in endpoints.echo.policy are executionTimeout, ttl | ",
      "endpoints: { echo: { handler: echo, limits: { run: { rate: 5 } } } } | endpoints.echo.limits.run.rate | in endpoints.echo.limits.run are requests, per, concurrent | ",
  })
  void anUnknownKeyNamesItsPathAndTheAllowedKeys(String yaml, String path, String allowed, String suggestion) {
    ConfigException e = failure(yaml);

    assertThat(e.path()).isEqualTo(path);
    assertThat(e.getMessage())
        .startsWith("test.yaml: " + path + ": unknown key")
        .contains("the keys allowed " + allowed);
    if (suggestion != null) {
      assertThat(e.getMessage()).contains("(did you mean " + suggestion + "?)");
    } else {
      assertThat(e.getMessage()).doesNotContain("did you mean");
    }
  }

  @Test
  void anUnknownRouteInLimitsNamesTheRoutes() {
    ConfigException e = endpointFailure("limits: { runn: { requests: 5 } }");

    assertThat(e.path()).isEqualTo("endpoints.echo.limits.runn");
    assertThat(e.getMessage()).isEqualTo("test.yaml: endpoints.echo.limits.runn: unknown route (did you mean run?); "
        + "the routes allowed in endpoints.echo.limits are " + ROUTES);
  }

  // Bad values.

  @ParameterizedTest
  @ValueSource(strings = {"10x", "ten seconds", "-5s", "1.5s", "10S", "-100", "1.5", "[10s]", "PT10S"})
  void aBadDurationNamesThePathTheValueAndTheForms(String written) {
    ConfigException e = endpointFailure("policy: { ttl: " + written + " }");

    assertThat(e.path()).isEqualTo("endpoints.echo.policy.ttl");
    assertThat(e.getMessage())
        .startsWith("test.yaml: endpoints.echo.policy.ttl: bad duration ")
        .endsWith("; write a whole number and a unit (500ms, 10s, 30m, 24h, 7d), or a plain number of milliseconds");
  }

  @Test
  void aBadDurationQuotesTheValue() {
    assertThat(failure("shutdown: { timeout: 10x }").getMessage())
        .isEqualTo("test.yaml: shutdown.timeout: bad duration '10x'; write a whole number and a unit "
            + "(500ms, 10s, 30m, 24h, 7d), or a plain number of milliseconds");
  }

  @Test
  void aDurationTooLargeForJavaSaysSo() {
    assertThat(failure("shutdown: { timeout: 999999999999999999d }").getMessage())
        .isEqualTo("test.yaml: shutdown.timeout: duration '999999999999999999d' is too large");
  }

  @Test
  void aBadChoiceListsTheAllowedValues() {
    assertThat(failure("shutdown: { mode: pause }").getMessage())
        .isEqualTo("test.yaml: shutdown.mode: 'pause' is not one of drain, cancel");
    assertThat(failure("intake: { waitStrategy: fast }").getMessage())
        .isEqualTo("test.yaml: intake.waitStrategy: 'fast' is not one of phased, blocking, lite_blocking, sleeping, "
            + "yielding, busy_spin");
  }

  @Test
  void anUnknownHandlerNamesTheRegisteredOnes() {
    ConfigException e = failure("endpoints: { echo: { handler: echoo } }");

    assertThat(e.path()).isEqualTo("endpoints.echo.handler");
    assertThat(e.getMessage())
        .startsWith("test.yaml: endpoints.echo.handler: unknown handler 'echoo'; the registered names are echo, tokens; ")
        .contains("a fully-qualified class name of a public class with a public no-arg constructor that implements "
            + "dev.runline.Handler or dev.runline.StreamingHandler works too");
  }

  @Test
  void anUnknownHandlerClassSaysItIsNotOnTheClassPath() {
    assertThat(failure("endpoints: { echo: { handler: com.example.Missing } }").getMessage())
        .isEqualTo("test.yaml: endpoints.echo.handler: unknown handler 'com.example.Missing': it is not a "
            + "registered name (the registered names are echo, tokens) and no class of that name is on the class path");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "java.lang.StringBuilder                         | class java.lang.StringBuilder implements neither dev.runline.Handler nor dev.runline.StreamingHandler",
      "dev.runline.config.TestHandlers$Both            | class dev.runline.config.TestHandlers$Both implements both dev.runline.Handler and dev.runline.StreamingHandler",
      "dev.runline.config.TestHandlers$NeedsArgument   | class dev.runline.config.TestHandlers$NeedsArgument has no public no-arg constructor",
      "dev.runline.config.TestHandlers$Failing         | the constructor of handler class dev.runline.config.TestHandlers$Failing threw java.lang.IllegalStateException: model file missing",
  })
  void anUnusableHandlerClassSaysWhy(String className, String reason) {
    assertThat(failure("endpoints: { echo: { handler: " + className + " } }").getMessage())
        .startsWith("test.yaml: endpoints.echo.handler: " + reason);
  }

  @Test
  void anEndpointWithoutAHandlerSaysWhatToWrite() {
    ConfigException e = failure("endpoints: { echo: { workers: 2 } }");

    assertThat(e.path()).isEqualTo("endpoints.echo.handler");
    assertThat(e.getMessage()).isEqualTo("test.yaml: endpoints.echo.handler: missing; every endpoint needs one: "
        + "a registered name (echo, tokens) or the fully-qualified name of a handler class; "
        + "or, instead, a built-in kernel: vector-search, matmul; "
        + "or backend: remote, for worker processes that take its jobs over HTTP");
  }

  // The builders' own refusals, with the path in front.

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "workers: 0                             | endpoints.echo.workers must be between 1 and 4096, was 0",
      "workers: 5000                          | endpoints.echo.workers must be between 1 and 4096, was 5000",
      "queueCapacity: -1                      | endpoints.echo.queueCapacity must be between 1 and 2^30, was -1",
      "recentJobs: -1                         | endpoints.echo.recentJobs must be between 0 (listing off) and 1000000, was -1",
      "backend: ' '                           | endpoints.echo.backend must name a backend, e.g. 'cpu', was blank",
      "retention: { run: 0s }                 | endpoints.echo.retention.run must be positive, was PT0S",
      "retention: { runSync: 0 }              | endpoints.echo.retention.runSync must be positive, was PT0S",
      "policy: { executionTimeout: 1s }       | endpoints.echo.policy.executionTimeout must be between 5000 and 604800000 milliseconds, was 1000",
      "policy: { ttl: 8d }                    | endpoints.echo.policy.ttl must be between 10000 and 604800000 milliseconds, was 691200000",
      "limits: { run: { requests: 0 } }       | endpoints.echo.limits.run.requests must be at least 1, was 0",
      "limits: { cancel: { concurrent: -1 } } | endpoints.echo.limits.cancel.concurrent must be 0 (unlimited) or more, was -1",
      "limits: { run: { per: 0s } }           | endpoints.echo.limits.run.per must be positive, was PT0S",
  })
  void aValueTheBuilderRefusesIsNamedByItsPath(String entries, String message) {
    ConfigException e = endpointFailure(entries);

    assertThat(e.getMessage()).isEqualTo("test.yaml: " + message);
    assertThat(message).startsWith(e.path());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "webhook: { attempts: 0 }         | webhook.attempts must be between 1 and 100, was 0",
      "webhook: { timeout: 0 }          | webhook.timeout must be positive, was PT0S",
      "endpoints: { 'my model': { handler: echo } } | endpoints[\"my model\"]: endpoint name must be 1 to 128 letters, digits, '_', '-' or '.', starting with a letter or digit, was 'my model'",
  })
  void anEngineSettingTheBuilderRefusesIsNamedByItsPath(String yaml, String message) {
    assertThat(failure(yaml).getMessage()).isEqualTo("test.yaml: " + message);
  }

  // Values of the wrong kind.

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "endpoints: { echo: { handler: echo, workers: four } }               | endpoints.echo.workers: expected a whole number between -2147483648 and 2147483647, was 'four'",
      "endpoints: { echo: { handler: echo, workers: 99999999999 } }        | endpoints.echo.workers: expected a whole number between -2147483648 and 2147483647, was 99999999999",
      "endpoints: { echo: { handler: echo, returnAggregateStream: maybe } } | endpoints.echo.returnAggregateStream: expected true or false, was 'maybe'",
      "endpoints: { echo: { handler: echo, backend: 3 } }                  | endpoints.echo.backend: expected a string, was 3",
      "endpoints: { echo: { handler: [echo] } }                            | endpoints.echo.handler: expected a string, was a list",
      "endpoints: { echo: { handler: echo, backendSettings: fast } }       | endpoints.echo.backendSettings: expected a mapping (key: value), was 'fast'",
      "endpoints: { echo: { handler: echo, limits: on } }                  | endpoints.echo.limits: expected off, or a mapping from route (" + ROUTES + ") to its limit, was true",
      "endpoints: { echo: { handler: echo, limits: { run: 5 } } }          | endpoints.echo.limits.run: expected off, or a mapping with requests, per, concurrent, was 5",
      "endpoints: { echo: 4 }                                              | endpoints.echo: expected a mapping (key: value), was 4",
      "endpoints: [ echo ]                                                 | endpoints: expected a mapping (key: value), was a list",
      "shutdown: drain                                                     | shutdown: expected a mapping (key: value), was 'drain'",
      "endpoints: { echo: { handler: echo, workers: '4' } }                | endpoints.echo.workers: expected a whole number between -2147483648 and 2147483647, was '4'",
      "endpoints: { echo: { handler: echo, workers: 4.5 } }                | endpoints.echo.workers: expected a whole number between -2147483648 and 2147483647, was 4.5",
      "endpoints: { echo: { handler: echo, returnAggregateStream: 1 } }    | endpoints.echo.returnAggregateStream: expected true or false, was 1",
      "endpoints: { echo: { handler: echo, returnAggregateStream: 'true' } } | endpoints.echo.returnAggregateStream: expected true or false, was 'true'",
      "endpoints: { echo: { handler: echo, backend: true } }               | endpoints.echo.backend: expected a string, was true",
      "endpoints: { echo: { handler: echo, retention: 5m } }               | endpoints.echo.retention: expected a mapping (key: value), was '5m'",
      "endpoints: { echo: '' }                                             | endpoints.echo: expected a mapping (key: value), was ''",
  })
  void aValueOfTheWrongKindSaysWhatWasExpected(String yaml, String message) {
    assertThat(failure(yaml).getMessage()).isEqualTo("test.yaml: " + message);
  }

  // API keys are secrets: their faults never quote them.

  @Test
  void aShortApiKeyIsNamedByIndexAndNotQuoted() {
    ConfigException e = failure("apiKeys: [ good-key-xxxxxxxx, sh0rt ]");

    assertThat(e.path()).isEqualTo("apiKeys[1]");
    assertThat(e.getMessage())
        .isEqualTo("test.yaml: apiKeys[1]: an API key must have at least 8 characters (one has 5)")
        .doesNotContain("sh0rt");
  }

  @Test
  void anApiKeyOfTheWrongKindIsNotQuoted() {
    assertThat(failure("apiKeys: [ 1234567890 ]").getMessage())
        .isEqualTo("test.yaml: apiKeys[0]: expected a string, was a number");
    assertThat(failure("apiKeys: single-key-xxxxxxxx").getMessage())
        .isEqualTo("test.yaml: apiKeys: expected a list of strings, was a string");
    assertThat(failure("apiKeys: [ good-key-xxxxxxxx, ~ ]").getMessage())
        .isEqualTo("test.yaml: apiKeys[1]: expected a string, was empty");
  }

  // The file as a whole.

  @Test
  void aKeyGivenTwiceIsRefusedWithItsLine() {
    ConfigException e = failure("""
        endpoints:
          echo:
            handler: echo
            workers: 2
            workers: 4
        """);

    assertThat(e.path()).isEmpty();
    assertThat(e.getMessage()).startsWith("test.yaml: not valid YAML at line 5").contains("Duplicate field 'workers'");
  }

  @Test
  void invalidYamlIsRefusedWithItsLine() {
    assertThat(failure("endpoints: { echo: { handler: echo }\n").getMessage())
        .startsWith("test.yaml: not valid YAML at line ");
  }

  @Test
  void aFileThatIsNotAMappingIsRefused() {
    ConfigException e = failure("- echo\n- tokens\n");

    assertThat(e.path()).isEmpty();
    assertThat(e.getMessage()).isEqualTo("test.yaml: the file must be a mapping of settings (key: value), was a list");
  }
}
