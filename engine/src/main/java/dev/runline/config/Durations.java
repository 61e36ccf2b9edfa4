package dev.runline.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the configuration file writes them: a whole number and a unit ({@code 500ms},
 * {@code 10s}, {@code 30m}, {@code 24h}, {@code 7d}), or a plain number of milliseconds. For the
 * file's own fields, and for a backend reading durations from its {@code backendSettings}.
 */
public final class Durations {
  /** What a message asks for when a value is not a duration. */
  public static final String FORMS =
      "write a whole number and a unit (500ms, 10s, 30m, 24h, 7d), or a plain number of milliseconds";
  // At most 18 digits, so the amount always fits a long; the unit's overflow is caught apart.
  private static final Pattern FORM = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)?");

  private Durations() {}

  /**
   * {@code text} as a duration, or empty when it is not written as one.
   *
   * @throws ArithmeticException when it is one, too large for a {@link Duration}
   */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return Optional.of(switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    });
  }
}
