package dev.runline;

/** The routes of the endpoint API; rate limits are kept per API key, endpoint and route. */
public enum Route {
  RUN("run", 1000, 200),
  RUNSYNC("runsync", 2000, 400),
  STATUS("status", 2000, 400),
  STATUS_SYNC("status-sync", 2000, 400),
  STREAM("stream", 2000, 400),
  CANCEL("cancel", 100, 20),
  RETRY("retry", 100, 0),
  HEALTH("health", 100, 0),
  PURGE_QUEUE("purge-queue", 2, 0),
  /** The listing of a caller's recent jobs, limited as the service limits its own. */
  REQUESTS("requests", 10, 2);

  private final String path;
  private final RouteLimit defaultLimit;

  Route(String path, long requestsPer10s, int concurrent) {
    this.path = path;
    this.defaultLimit = RouteLimit.of(requestsPer10s, java.time.Duration.ofSeconds(10), concurrent);
  }

  /** The route's path segment, e.g. {@code "status-sync"}. */
  public String path() {
    return path;
  }

  /** The limit from the service's documented table (a concurrency of 0 means unlimited). */
  public RouteLimit defaultLimit() {
    return defaultLimit;
  }

  /** The route whose path segment is {@code path}, or {@code null}. */
  public static Route ofPath(String path) {
    for (Route route : values()) {
      if (route.path.equals(path)) {
        return route;
      }
    }
    return null;
  }
}
