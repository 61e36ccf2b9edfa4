package dev.runline.server;

import static dev.runline.server.HttpFixture.KEY;
import static dev.runline.server.HttpFixture.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who sees what, in a real browser: without a valid key only the prompt; with one, that key's
 * jobs only; every value of a job shown as text, and the page's Content-Security-Policy
 * refusing any inline script that would get in anyway.
 */
class DashboardAccessTest {
  /** Markup that would run script if a page put it in as HTML. */
  private static final String HOSTILE = "<img src=x onerror=\"window.pwned = 'img'\">"
      + "<script>window.pwned = 'script'</script>";
  private static TestServer server;
  private static Browser browser;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    browser = Browser.start();
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

  /** A tab that has never held a key, with its console read. */
  @BeforeEach
  void freshTab() {
    browser.open(base() + "/dashboard/");
    browser.script("sessionStorage.clear();");
    browser.open(base() + "/dashboard/");
    browser.clearConsole();
  }

  private static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private static String run(String key, String endpoint, String input) {
    return server.post("/v2/" + endpoint + "/run", key, "{\"input\": " + input + "}").text("id");
  }

  @Test
  void withoutAKeyThePageShowsOnlyThePrompt() {
    browser.shown("#key");

    assertThat(browser.find("#views").isDisplayed()).isFalse();
    assertThat(browser.findAll("#endpoints tbody tr")).isEmpty();
    assertThat(browser.textOf("#crumbs")).isEmpty();
    browser.assertConsoleFreeOfErrors();
  }

  @Test
  void aKeyTheServerDoesNotKnowIsRefusedAndOnlyThePromptStays() {
    browser.shown("#key").sendKeys("not-a-key-of-this-server");
    browser.find("#open").click();

    browser.textIs("#key-error", "That key was refused: the API key is not valid for this server");
    assertThat(browser.find("#views").isDisplayed()).isFalse();
    assertThat(browser.script("return sessionStorage.length;")).isEqualTo(0L);
    assertThat(browser.consoleErrors()).as("only the refused request").allMatch(e -> e.contains("401"));
  }

  @Test
  void theKeyIsKeptInTheTabsSessionStorageOnlyAndNeverInAUrl() {
    browser.signIn(KEY);

    assertThat(browser.script("return sessionStorage.getItem('runline.apiKey');")).isEqualTo(KEY);
    assertThat(browser.script("return localStorage.length;")).isEqualTo(0L);
    assertThat(browser.script("return document.cookie;")).isEqualTo("");
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) browser.script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);");
    assertThat(urls).isNotEmpty().noneMatch(url -> url.contains(KEY));
    browser.assertConsoleFreeOfErrors();
  }

  @Test
  void anotherKeysJobsNeverAppear() {
    String mine = run(KEY, "echo", "{\"mine\": true}");
    String theirs = run(OTHER_KEY, "echo", "{\"theirs\": true}");
    browser.signIn(KEY);

    browser.driver.navigate().to(base() + "/dashboard/#/endpoint/echo");
    browser.shown("#jobs tr[data-job-id='" + mine + "']");
    String later = run(OTHER_KEY, "echo", "{\"theirs\": 2}");
    String mineLater = run(KEY, "echo", "{\"mine\": 2}");
    browser.shown("#jobs tr[data-job-id='" + mineLater + "']");
    List<String> listed = browser.findAll("#jobs tbody tr").stream().map(r -> r.getAttribute("data-job-id")).toList();
    assertThat(listed).contains(mine, mineLater).doesNotContain(theirs, later);

    browser.driver.navigate().to(base() + "/dashboard/#/endpoint/echo/job/" + theirs);
    browser.shown("#job-missing");
    assertThat(browser.textOf("#job-missing")).contains("no job '" + theirs + "'");
    assertThat(browser.textOf("#job-input")).doesNotContain("theirs");
  }

  @Test
  void aHostileInputIsShownAsTextAndRunsNothing() throws Exception {
    String json = JobRequests.MAPPER.writeValueAsString(java.util.Map.of("prompt", HOSTILE));
    String id = run(KEY, "echo", json);
    browser.signIn(KEY);

    browser.driver.navigate().to(base() + "/dashboard/#/endpoint/echo");
    browser.shown("#jobs tr[data-job-id='" + id + "'] [data-field='summary']");
    assertThat(browser.textOf("#jobs tr[data-job-id='" + id + "'] [data-field='summary']")).contains("<img src=x");
    browser.driver.navigate().to(base() + "/dashboard/#/endpoint/echo/job/" + id);
    browser.textIs("#job-status", "COMPLETED");

    assertThat(browser.textOf("#job-input")).contains("<img src=x onerror=").contains("<script>");
    assertThat(browser.textOf("#job-output")).contains("<script>");
    assertThat(browser.findAll("#job-view img, #job-view script, #jobs img")).isEmpty();
    assertThat(browser.script("return window.pwned === undefined;")).isEqualTo(true);
    browser.assertConsoleFreeOfErrors();
  }

  @Test
  void theContentSecurityPolicyBlocksAnInlineScriptInjectedFromAJobsInput() throws Exception {
    String json = JobRequests.MAPPER.writeValueAsString(java.util.Map.of("prompt", HOSTILE));
    String id = run(KEY, "echo", json);
    browser.signIn(KEY);
    browser.driver.navigate().to(base() + "/dashboard/#/endpoint/echo/job/" + id);
    browser.textIs("#job-status", "COMPLETED");
    String prompt = (String) browser.script("return JSON.parse(document.getElementById('job-input').textContent).prompt;");
    assertThat(prompt).isEqualTo(HOSTILE);

    // As if the page had a bug that put the job's text in as markup: the policy must stop it.
    browser.script("document.body.insertAdjacentHTML('beforeend', arguments[0]);"
        + "const s = document.createElement('script'); s.textContent = \"window.pwned = 'inline'\";"
        + "document.body.appendChild(s);", prompt);

    browser.waiting().withMessage(() -> "the console to report the policy's refusals")
        .until(d -> browser.consoleErrors().stream().filter(e -> e.contains("Content Security Policy")).count() >= 2);
    assertThat(browser.script("return window.pwned === undefined;")).isEqualTo(true);
    assertThat(server.get("/dashboard/", null).raw().headers().firstValue("content-security-policy"))
        .hasValue(Dashboard.CONTENT_SECURITY_POLICY);
  }
}
