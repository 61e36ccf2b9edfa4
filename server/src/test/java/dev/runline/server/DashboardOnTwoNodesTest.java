package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runline.redis.RedisJobs;
import dev.runline.redis.RedisOptions;
import dev.runline.redis.RedisServer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard of one node of a cluster (two servers sharing one Redis), in a real browser:
 * it lists and shows the jobs admitted through the other node, its overview's counts are the
 * cluster's {@code /health}, and its actions reach a job wherever it runs.
 */
class DashboardOnTwoNodesTest {
  private static RedisServer redis;
  private static TestServer nodeA;
  private static TestServer nodeB;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    String namespace = "dashboard-" + System.nanoTime();
    CountDownLatch gate = new CountDownLatch(1);
    nodeA = TestServer.start(ServerOptions.of("127.0.0.1", 0), gate, builder -> RedisJobs.node(builder,
        RedisOptions.of(redis.uri()).withNode("node-a").withNamespace(namespace)));
    nodeB = TestServer.start(ServerOptions.of("127.0.0.1", 0), gate, builder -> RedisJobs.node(builder,
        RedisOptions.of(redis.uri()).withNode("node-b").withNamespace(namespace)));
    browser = Browser.start();
    browser.open(pageOfB("/"));
    browser.signIn(KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
      for (TestServer node : new TestServer[] {nodeB, nodeA}) {
        if (node != null) {
          node.close();
        }
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @AfterEach
  void theConsoleHasNoErrors() {
    browser.assertConsoleFreeOfErrors();
  }

  private static String pageOfB(String hash) {
    return "http://127.0.0.1:" + nodeB.port() + "/dashboard/#" + hash;
  }

  private static String runOnA(String endpoint, String input) {
    return nodeA.post("/v2/" + endpoint + "/run", KEY, "{\"input\": " + input + "}").text("id");
  }

  private static String statusOnA(String endpoint, String id) {
    return nodeA.get("/v2/" + endpoint + "/status/" + id, KEY).text("status");
  }

  private static String row(String id) {
    return "#jobs tr[data-job-id='" + id + "']";
  }

  @Test
  void aJobRunThroughOneNodeIsListedAndShownOnTheOthersPage() {
    browser.driver.navigate().to(pageOfB("/endpoint/echo"));
    browser.shown("#endpoint-view");

    String id = runOnA("echo", "{\"prompt\": \"from node a\"}");

    browser.shown(row(id));
    browser.textIs(row(id) + " [data-field='status']", "COMPLETED");
    browser.driver.navigate().to(pageOfB("/endpoint/echo/job/" + id));
    browser.textIs("#job-status", "COMPLETED");
    assertThat(browser.textOf("#job-output")).contains("from node a");
  }

  @Test
  void theOverviewsCountsAreTheClustersHealth() {
    for (TestServer node : List.of(nodeA, nodeB, nodeA)) {
      assertThat(node.post("/v2/echo/runsync", KEY, "{\"input\": 1}").text("status")).isEqualTo("COMPLETED");
    }
    browser.driver.navigate().to(pageOfB("/"));

    browser.waiting().withMessage(() -> "node b's overview of echo to equal the /health of both nodes").until(d -> {
      JsonNode onA = nodeA.get("/v2/echo/health", KEY).json().path("jobs");
      JsonNode onB = nodeB.get("/v2/echo/health", KEY).json().path("jobs");
      return onA.equals(onB) && List.of("inQueue", "inProgress", "completed", "failed").stream().allMatch(figure ->
          String.format(Locale.US, "%,d", onB.path(figure).asLong()).equals(
              browser.textOf("#endpoints tr[data-endpoint='echo'] [data-figure='" + figure + "']")));
    });
    assertThat(nodeB.get("/v2/echo/health", KEY).json().path("jobs").path("completed").asLong()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void theOverviewNamesTheClustersNodesAndTheOneServingIt() {
    browser.driver.navigate().to(pageOfB("/"));

    browser.textIs("#cluster", "A cluster of 2 node(s): node-b, node-a. This page is served by node-b.");
  }

  @Test
  void cancelOnOneNodesPageEndsTheJobWhicheverNodeRunsIt() {
    String id = runOnA("sleep", "{\"seconds\": 60}");
    browser.waiting().until(d -> "IN_PROGRESS".equals(statusOnA("sleep", id)));
    browser.driver.navigate().to(pageOfB("/endpoint/sleep/job/" + id));
    browser.textIs("#job-status", "IN_PROGRESS");

    browser.shown("#cancel-job").click();

    browser.textIs("#job-status", "CANCELLED");
    assertThat(statusOnA("sleep", id)).isEqualTo("CANCELLED");
    browser.waiting().withMessage(() -> "both nodes' sleep workers free again").until(d -> List.of(nodeA, nodeB).stream()
        .allMatch(node -> node.get("/v2/sleep/health", KEY).json().path("workers").path("running").asInt() == 0));
  }
}
