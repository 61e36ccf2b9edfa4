package dev.runline.config;

/**
 * A configuration file is malformed or holds a setting the engine refuses. The message
 * starts with the file's name and the full path of the offending key (for example
 * {@code runline.yaml: endpoints.echo.workers must be between 1 and 4096, was 0}) and says
 * what is allowed there. API keys are never part of a message.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String path;

  ConfigException(String source, String path, String detail, Throwable cause) {
    super(source + ": " + detail, cause);
    this.source = source;
    this.path = path;
  }

  /** The name of the file or stream that was read, as given to {@link RunlineConfig}. */
  public String source() {
    return source;
  }

  /**
   * The dotted path of the offending key, e.g. {@code endpoints.echo.limits.run.requests};
   * empty when the file could not be read as YAML at all or the fault is at its top level.
   */
  public String path() {
    return path;
  }
}
