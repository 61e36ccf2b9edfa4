package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's overview in a real browser, on a server running real jobs: every
 * endpoint's figures as {@code /health} gives them, live charts, and updates pushed by the
 * server (the page is never reloaded).
 */
class DashboardOverviewTest {
  private static TestServer server;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    browser = Browser.start();
    browser.open(base() + "/dashboard/");
    browser.signIn(KEY);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void theConsoleHasNoErrors() {
    browser.assertConsoleFreeOfErrors();
  }

  private static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private static String figure(String endpoint, String figure) {
    return browser.textOf("#endpoints tr[data-endpoint='" + endpoint + "'] [data-figure='" + figure + "']");
  }

  private static String number(long value) {
    return String.format(java.util.Locale.US, "%,d", value);
  }

  @Test
  void theOverviewsFiguresEqualHealthForEveryEndpoint() {
    long completed = server.engine.inspect().health("echo").jobs().completed();
    long failed = server.engine.inspect().health("fail").jobs().failed();
    for (int i = 0; i < 3; i++) {
      assertThat(server.post("/v2/echo/runsync", KEY, "{\"input\": {\"n\": " + i + "}}").text("status"))
          .isEqualTo("COMPLETED");
    }
    assertThat(server.post("/v2/fail/runsync", KEY, "{\"input\": {\"message\": \"no\"}}").text("status"))
        .isEqualTo("FAILED");

    for (String endpoint : server.engine.inspect().endpoints()) {
      browser.waiting().withMessage(() -> "the overview's figures of " + endpoint + " to equal its /health")
          .until(d -> {
            JsonNode health = server.get("/v2/" + endpoint + "/health", KEY).json();
            JsonNode jobs = health.path("jobs");
            JsonNode workers = health.path("workers");
            Map<String, Long> expected = Map.of(
                "inQueue", jobs.path("inQueue").asLong(), "inProgress", jobs.path("inProgress").asLong(),
                "completed", jobs.path("completed").asLong(), "failed", jobs.path("failed").asLong(),
                "retried", jobs.path("retried").asLong(), "workersIdle", workers.path("idle").asLong(),
                "workersRunning", workers.path("running").asLong(),
                "workersUnhealthy", workers.path("unhealthy").asLong());
            return expected.entrySet().stream().allMatch(e -> number(e.getValue()).equals(figure(endpoint, e.getKey())));
          });
    }
    assertThat(figure("echo", "completed")).isEqualTo(number(completed + 3));
    assertThat(figure("fail", "failed")).isEqualTo(number(failed + 1));
    assertThat(figure("echo", "backend")).isEqualTo("cpu");
    assertThat(browser.find("#cluster").isDisplayed()).as("no cluster without a shared store").isFalse();
  }

  @Test
  void figuresAndChartsFollowNewJobsWithoutAReload() {
    browser.script("window.notReloaded = true;");
    long before = server.engine.inspect().health("open").jobs().completed();

    server.post("/v2/open/runsync", KEY, "{\"input\": 1}");

    browser.textIs("#endpoints tr[data-endpoint='open'] [data-figure='completed']", number(before + 1));
    browser.textIs("#endpoints tr[data-endpoint='open'] [data-figure='completedPerMinute']", number(before + 1));
    assertThat(browser.script("return window.notReloaded === true;")).isEqualTo(true);
    assertThat(browser.findAll("#overview-charts .uplot")).as("three live charts").hasSize(3);
  }

  @Test
  void aScreenshotOfTheOverviewGoesIntoTheDocs() throws Exception {
    server.post("/v2/echo/runsync", KEY, "{\"input\": {\"prompt\": \"hello\"}}");
    server.post("/v2/tokens/runsync", KEY, "{\"input\": {\"prompt\": \"a few words to stream\"}}");
    browser.textIs("#live", "live");
    Path file = Docs.dir().resolve("dashboard-overview.png");

    browser.screenshot(file);

    assertThat(Files.size(file)).isGreaterThan(10_000);
  }
}
