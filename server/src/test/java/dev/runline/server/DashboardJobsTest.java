package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.runline.Endpoint;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/**
 * An endpoint's jobs and a job's page in a real browser: jobs appear as the API takes them,
 * filtered by status and found by id; a job's page shows its output, error and stream; cancel,
 * retry and purge from the page do what the API says they do.
 */
class DashboardJobsTest {
  private static TestServer server;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server = TestServer.start(ServerOptions.of("127.0.0.1", 0), builder -> builder
        // A refused webhook is tried again soon, so a job's page can show both of its deliveries.
        .webhookRetryInterval(Duration.ofMillis(100))
        // Each holds its one job until cancelled (interrupted) or 60 s pass.
        .endpoint(Endpoint.builder("held").handler(DemoHandlers.SLEEP).workers(1).build())
        .endpoint(Endpoint.builder("purgeable").handler(DemoHandlers.SLEEP).workers(1).build()));
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

  private static String run(String endpoint, String input) {
    return server.post("/v2/" + endpoint + "/run", KEY, "{\"input\": " + input + "}").text("id");
  }

  private static String statusOf(String endpoint, String id) {
    return server.get("/v2/" + endpoint + "/status/" + id, KEY).text("status");
  }

  private static void awaitStatus(String endpoint, String id, String status) {
    browser.waiting().withMessage(() -> "job " + id + " to be " + status + ", was " + statusOf(endpoint, id))
        .until(d -> status.equals(statusOf(endpoint, id)));
  }

  private static void show(String hash) {
    browser.driver.navigate().to(base() + "/dashboard/#" + hash);
  }

  private static String row(String id) {
    return "#jobs tr[data-job-id='" + id + "']";
  }

  private static List<String> listedIds() {
    return browser.findAll("#jobs tbody tr").stream().map(r -> r.getAttribute("data-job-id")).toList();
  }

  @Test
  void aJobSubmittedThroughTheApiAppearsWithoutAReload() {
    show("/endpoint/echo");
    browser.shown("#endpoint-view");
    browser.script("window.notReloaded = true;");

    String id = run("echo", "{\"prompt\": \"appear\"}");

    browser.shown(row(id));
    browser.textIs(row(id) + " [data-field='status']", "COMPLETED");
    assertThat(browser.script("return window.notReloaded === true;")).isEqualTo(true);
  }

  @Test
  void theJobsAreFilteredByStatus() {
    String running = run("sleep", "{\"seconds\": 60}");
    awaitStatus("sleep", running, "IN_PROGRESS");
    String done = run("sleep", "{\"seconds\": 0}");
    awaitStatus("sleep", done, "COMPLETED");
    String cancelled = run("sleep", "{\"seconds\": 60}");
    server.post("/v2/sleep/cancel/" + cancelled, KEY, "{}");

    show("/endpoint/sleep?status=COMPLETED");
    browser.shown(row(done));
    assertThat(listedIds()).contains(done).doesNotContain(running, cancelled);

    browser.find("#status-filter [data-status='CANCELLED']").click();
    browser.shown(row(cancelled));
    assertThat(listedIds()).contains(cancelled).doesNotContain(running, done);

    browser.find("#status-filter [data-status='']").click();
    browser.waiting().until(d -> listedIds().containsAll(List.of(running, done, cancelled)));
    server.post("/v2/sleep/cancel/" + running, KEY, "{}");
  }

  @Test
  void aJobIsFoundByItsId() {
    String id = run("echo", "{\"prompt\": \"find me\"}");
    show("/endpoint/echo");
    WebElement find = browser.shown("#find-id");

    find.sendKeys(id);
    browser.find("#find-form button").click();

    browser.shown("#job-view");
    browser.textIs("#job-id", id);
    browser.textIs("#job-status", "COMPLETED");
  }

  @Test
  void aJobsPageShowsItsOutputErrorAndStreamChunks() throws Exception {
    String echoed = run("echo", "{\"prompt\": \"shown as output\"}");
    String failed = run("fail", "{\"message\": \"the model is not loaded\"}");
    String streamed = run("tokens", "{\"prompt\": \"alpha beta gamma\"}");
    awaitStatus("echo", echoed, "COMPLETED");
    awaitStatus("fail", failed, "FAILED");
    awaitStatus("tokens", streamed, "COMPLETED");

    show("/endpoint/echo/job/" + echoed);
    browser.textIs("#job-status", "COMPLETED");
    assertThat(browser.textOf("#job-output")).contains("\"prompt\" : \"shown as output\"");
    assertThat(browser.textOf("#job-input")).contains("shown as output");

    show("/endpoint/fail/job/" + failed);
    browser.textIs("#job-status", "FAILED");
    assertThat(browser.textOf("#job-error")).contains("the model is not loaded");

    show("/endpoint/tokens/job/" + streamed);
    browser.textIs("#job-status", "COMPLETED");
    List<String> chunks = browser.findAll("#job-stream li pre").stream().map(WebElement::getText).toList();
    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(0)).contains("alpha");
    assertThat(chunks.get(2)).contains("gamma");
    assertThat(browser.textOf("#job-stream-count")).isEqualTo("(3 chunk(s))");
    assertThat(browser.textOf("#job-timeline [data-field='endedAt']")).contains("ran");

    Path file = Docs.dir().resolve("dashboard-job.png");
    browser.screenshot(file);
    assertThat(Files.size(file)).isGreaterThan(10_000);
  }

  @Test
  void aJobsPageShowsItsTimelineAndEachWebhookDelivery() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      // The first delivery is refused, the second taken.
      exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 500 : 200, -1);
      exchange.close();
    });
    receiver.start();
    try {
      String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
      String id = server.post("/v2/echo/run", KEY, "{\"input\": {\"prompt\": \"call back\"}, \"webhook\": \""
          + hook + "\"}").text("id");
      browser.waiting().withMessage(() -> "two webhook deliveries of job " + id).until(d ->
          server.get("/v2/echo/requests/" + id, KEY).json().path("webhook").path("deliveries").size() == 2);

      show("/endpoint/echo/job/" + id);

      browser.textIs("#job-status", "COMPLETED");
      browser.textIs("#job-webhook", hook);
      List<List<String>> deliveries = browser.findAll("#job-deliveries tbody tr").stream()
          .map(r -> r.findElements(org.openqa.selenium.By.cssSelector("td")).stream().map(WebElement::getText).toList())
          .toList();
      assertThat(deliveries).hasSize(2);
      assertThat(deliveries.get(0)).startsWith("1").contains("HTTP 500", "no");
      assertThat(deliveries.get(1)).startsWith("2").contains("HTTP 200", "yes");
      for (String moment : List.of("queuedAt", "startedAt", "endedAt")) {
        assertThat(browser.textOf("#job-timeline [data-field='" + moment + "']")).as(moment).isNotBlank().isNotEqualTo("–");
      }
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void cancelFromTheJobsPageCancelsTheRunningJob() {
    String id = run("held", "{\"seconds\": 60}");
    awaitStatus("held", id, "IN_PROGRESS");
    show("/endpoint/held/job/" + id);
    browser.textIs("#job-status", "IN_PROGRESS");

    browser.shown("#cancel-job").click();

    browser.textIs("#job-status", "CANCELLED");
    assertThat(statusOf("held", id)).isEqualTo("CANCELLED");
    assertThat(browser.find("#cancel-job").isDisplayed()).isFalse();
  }

  @Test
  void retryFromTheJobsPageQueuesTheFailedJobAgain() {
    String id = run("fail", "{\"message\": \"try again\"}");
    awaitStatus("fail", id, "FAILED");
    show("/endpoint/fail/job/" + id);
    browser.textIs("#job-status", "FAILED");

    browser.shown("#retry-job").click();

    browser.textIs("#job-facts [data-field='retries']", "1");
    Map<String, String> status = Map.of("retries", server.get("/v2/fail/status/" + id, KEY).json().path("retries").asText());
    assertThat(status).containsEntry("retries", "1");
  }

  @Test
  void purgeFromTheEndpointsPageAfterConfirmingRemovesTheQueuedJobsOnly() {
    String running = run("purgeable", "{\"seconds\": 60}");
    awaitStatus("purgeable", running, "IN_PROGRESS");
    List<String> queued = List.of(run("purgeable", "{}"), run("purgeable", "{}"), run("purgeable", "{}"));
    show("/endpoint/purgeable");
    browser.shown(row(queued.get(2)));

    browser.find("#purge-queue").click();
    browser.shown("#confirm");
    assertThat(browser.textOf("#confirm-text")).contains("purgeable");
    browser.find("#confirm-yes").click();

    browser.textIs("#message", "Purged the queue of purgeable: 3 job(s) removed.");
    for (String id : queued) {
      assertThat(statusOf("purgeable", id)).isEqualTo("CANCELLED");
      browser.textIs(row(id) + " [data-field='status']", "CANCELLED");
    }
    assertThat(statusOf("purgeable", running)).isEqualTo("IN_PROGRESS");
    server.post("/v2/purgeable/cancel/" + running, KEY, "{}");
  }

  @Test
  void purgeIsNotDoneWhenTheConfirmationIsDeclined() {
    String running = run("purgeable", "{\"seconds\": 60}");
    awaitStatus("purgeable", running, "IN_PROGRESS");
    String queued = run("purgeable", "{}");
    show("/endpoint/purgeable");
    browser.shown(row(queued));

    browser.find("#purge-queue").click();
    browser.shown("#confirm-no").click();

    assertThat(browser.find("#confirm").isDisplayed()).isFalse();
    assertThat(statusOf("purgeable", queued)).isEqualTo("IN_QUEUE");
    server.post("/v2/purgeable/cancel/" + running, KEY, "{}");
    server.post("/v2/purgeable/cancel/" + queued, KEY, "{}");
  }
}
