package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.Endpoint;
import dev.runline.Runline;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A host application serves the API and the dashboard from an engine it built itself, in a
 * few lines ({@link RunlineServer#start(Runline, ServerOptions)}); closing the server leaves
 * the engine running; {@code withDashboard(false)} serves the API alone.
 */
class EmbeddedDashboardTest {
  private static final String KEY = "host-app-key-1";

  private static Runline hostEngine() {
    return Runline.builder().apiKeys(KEY).shutdownTimeout(Duration.ofSeconds(2))
        .endpoint(Endpoint.builder("greet").handler(job -> "hello " + job.input()).workers(1).build())
        .build();
  }

  @Test
  void aHostsOwnEngineIsServedWithTheDashboardAndMetrics() {
    try (Runline engine = hostEngine()) {
      try (RunlineServer server = RunlineServer.start(engine, ServerOptions.of("127.0.0.1", 0))) {
        TestServer.Calls calls = new TestServer.Calls(server.port());

        HttpFixture.Reply done = calls.post("/v2/greet/runsync", KEY, "{\"input\": \"host\"}");
        HttpFixture.Reply page = calls.get("/dashboard/", null);
        HttpFixture.Reply listed = calls.get("/v2/greet/requests", KEY);

        assertThat(done.text("output")).isEqualTo("hello host");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().body()).contains("dashboard.js");
        assertThat(page.raw().headers().firstValue("content-security-policy")).hasValue(Dashboard.CONTENT_SECURITY_POLICY);
        assertThat(listed.json().path("jobs").get(0).path("id").asText()).isEqualTo(done.text("id"));
        assertThat(calls.get("/metrics", null).raw().body())
            .contains("runline_jobs_ended_total{endpoint=\"greet\",status=\"COMPLETED\"} 1.0");
      }
      assertThat(engine.as(KEY).endpoint("greet").runSync(dev.runline.JobRequest.of("again"), Duration.ofSeconds(10))
          .join().output()).as("the engine goes on after its server closed").isEqualTo("hello again");
    }
  }

  @Test
  void withTheDashboardOffOnlyTheApiIsServed() {
    try (Runline engine = hostEngine();
        RunlineServer server = RunlineServer.start(engine, ServerOptions.of("127.0.0.1", 0).withDashboard(false))) {
      TestServer.Calls calls = new TestServer.Calls(server.port());

      HttpFixture.Reply page = calls.get("/dashboard/", null);

      assertThat(page.status()).isEqualTo(404);
      assertThat(page.text("error")).contains("no route");
      assertThat(calls.get("/dashboard/events", KEY).status()).isEqualTo(404);
      assertThat(calls.get("/v2/greet/health", KEY).status()).isEqualTo(200);
    }
  }
}
