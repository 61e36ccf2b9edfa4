package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven through chromedriver, both from the operating system's packages
 * ({@code chromium} and {@code chromium-driver}, which the build installs where missing:
 * {@code .ci/test-tools.sh}): their paths are set explicitly, so Selenium downloads nothing.
 * The browser's console is recorded, so a test can require it free of errors.
 */
final class Browser implements AutoCloseable {
  /** How long a condition in the page may take: a liveness bound on a loaded machine, not a timing. */
  static final Duration WAIT = Duration.ofSeconds(15);
  private static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
  private static final List<Path> CHROMEDRIVER = List.of(Path.of("/usr/bin/chromedriver"),
      Path.of("/usr/lib/chromium/chromedriver"));

  /**
   * Selenium warns that it has no DevTools binding for this Chromium's version; the tests use
   * WebDriver only, not DevTools. Held here so the setting is not collected with the logger.
   */
  private static final java.util.logging.Logger CDP_FINDER =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_FINDER.setLevel(Level.SEVERE);
  }

  final ChromeDriver driver;
  /** Console entries read so far (reading the log empties it). */
  private final List<LogEntry> console = new ArrayList<>();

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Starts the browser, or fails naming what is missing. */
  static Browser start() {
    Path chromium = find(CHROMIUM, "chromium");
    Path chromedriver = find(CHROMEDRIVER, "chromedriver (Debian package chromium-driver)");
    ChromeOptions options = new ChromeOptions()
        .setBinary(chromium.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1440,1000", "--no-first-run", "--no-default-browser-check", "--disable-extensions");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(WAIT);
    return new Browser(driver);
  }

  private static Path find(List<Path> candidates, String what) {
    for (Path path : candidates) {
      if (Files.isExecutable(path)) {
        return path;
      }
    }
    throw new AssertionError(what + " is not installed at " + candidates + ", so the dashboard's browser tests cannot"
        + " run; the build installs it where missing (.ci/test-tools.sh: apt-get install chromium chromium-driver)");
  }

  void open(String url) {
    driver.get(url);
  }

  WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits until an element matching {@code css} is displayed, and returns it. */
  WebElement shown(String css) {
    return waiting().until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    });
  }

  /** Waits until the text of the element matching {@code css} equals {@code text}. */
  void textIs(String css, String text) {
    waiting().withMessage(() -> "the text of " + css + " to be '" + text + "', was '" + textOf(css) + "'")
        .until(d -> text.equals(textOf(css)));
  }

  /** The text of the first element matching {@code css}, or {@code null}: read in one step, as the page re-renders. */
  String textOf(String css) {
    return (String) script("const e = document.querySelector(arguments[0]); return e === null ? null : e.textContent;", css);
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Types the key into the prompt and waits for the dashboard to open. */
  void signIn(String key) {
    WebElement input = shown("#key");
    input.clear();
    input.sendKeys(key);
    find("#open").click();
    shown("#views");
  }

  /** Every console entry since the browser started, or since {@link #clearConsole}. */
  List<LogEntry> console() {
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      console.add(entry);
    }
    return List.copyOf(console);
  }

  /** Forgets the console entries so far: {@link #consoleErrors} then counts from here. */
  void clearConsole() {
    console();
    console.clear();
  }

  /** Console entries at level SEVERE (errors: a failed script, a refused request, a CSP violation). */
  List<String> consoleErrors() {
    return console().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  void assertConsoleFreeOfErrors() {
    assertThat(consoleErrors()).as("the browser console's errors").isEmpty();
  }

  /** Writes a PNG of the window to {@code file}. */
  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() {
    driver.quit();
  }
}
