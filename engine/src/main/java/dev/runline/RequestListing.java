package dev.runline;

import dev.runline.spi.JobState;
import dev.runline.spi.RecentJobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code /requests}: a caller's recent jobs on one endpoint, found by walking the endpoint's
 * window of recent ids ({@link RecentJobs}) newest first and keeping the caller's jobs that
 * the store still has and that match the query. The walk reads at most the window, so a
 * listing costs at most the window's size in lookups whatever the store holds.
 *
 * <p>The cursor is the window position of the last job of a page, written so that a client
 * treats it as opaque; the next page walks on from below it, so jobs admitted meanwhile do not
 * shift the pages.
 */
final class RequestListing {
  private static final String CURSOR_PREFIX = "r1:";
  /** How often a followed listing is looked at again. */
  static final long FOLLOW_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final EndpointRuntime endpoint;
  private final String owner;
  private final RequestsQuery query;

  /** One job of a listing, with the state it was listed in (states are immutable snapshots). */
  private record Listed(Job job, JobState state, long position) {}

  /** The jobs of one page, and whether there are more after them. */
  private record Scan(List<Listed> jobs, boolean more) {
    /** Whether {@code other} lists the same jobs in the same states. */
    boolean sameAs(Scan other) {
      if (other == null || more != other.more || jobs.size() != other.jobs.size()) {
        return false;
      }
      for (int i = 0; i < jobs.size(); i++) {
        if (jobs.get(i).job() != other.jobs.get(i).job() || jobs.get(i).state() != other.jobs.get(i).state()) {
          return false;
        }
      }
      return true;
    }
  }

  RequestListing(EndpointRuntime endpoint, String owner, RequestsQuery query) {
    this.endpoint = endpoint;
    this.owner = owner;
    this.query = query;
    if (endpoint.recent == null) {
      throw new InvalidRequestException("endpoint '" + endpoint.name() + "' does not list its jobs (its recentJobs "
          + "setting is 0); set recentJobs above 0 in its configuration to use /requests");
    }
  }

  RequestsPage page() {
    return page(scan());
  }

  private Scan scan() {
    long before = decode(query.cursor());
    Set<Status> statuses = query.statuses();
    int limit = query.limit();
    List<Listed> found = new ArrayList<>(Math.min(limit, 64));
    boolean[] more = {false};
    endpoint.recent.visitBefore(owner, before, (position, id) -> {
      Job job = endpoint.engine.find(id);
      if (job == null) {
        endpoint.recent.forget(id, owner);
        return true;
      }
      if (job.endpoint != endpoint || !job.owner.equals(owner)) {
        return true;
      }
      JobState state = job.state();
      if (!statuses.isEmpty() && !statuses.contains(state.status())) {
        return true;
      }
      if (found.size() == limit) {
        more[0] = true;
        return false;
      }
      found.add(new Listed(job, state, position));
      return true;
    });
    return new Scan(found, more[0]);
  }

  private RequestsPage page(Scan scan) {
    long now = endpoint.now();
    List<JobStatus> jobs = new ArrayList<>(scan.jobs().size());
    for (Listed listed : scan.jobs()) {
      jobs.add(listed.state().toStatus(listed.job().idText(), now));
    }
    String next = scan.more() ? encode(scan.jobs().get(scan.jobs().size() - 1).position()) : null;
    return new RequestsPage(jobs, next);
  }

  /**
   * Tells {@code listener} the page now, then again each time it changes (a job joins or
   * leaves it, or one of its jobs changes state), looked at every second until closed.
   */
  AutoCloseable follow(Consumer<RequestsPage> listener) {
    Follower follower = new Follower(listener);
    follower.look();
    return follower;
  }

  private final class Follower implements AutoCloseable {
    private final Consumer<RequestsPage> listener;
    private Scan last;
    private volatile boolean closed;
    private volatile Future<?> next;

    Follower(Consumer<RequestsPage> listener) {
      this.listener = listener;
    }

    /** Lists again and tells the listener when the page changed; then waits for the next look. */
    synchronized void look() {
      if (closed) {
        return;
      }
      try {
        Scan scan = scan();
        if (!scan.sameAs(last)) {
          last = scan;
          listener.accept(page(scan));
        }
      } finally {
        if (!closed) {
          next = endpoint.engine.timers.schedule(() -> endpoint.engine.executor.execute(this::look),
              FOLLOW_INTERVAL_NANOS);
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      Future<?> scheduled = next;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }
  }

  static String encode(long position) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((CURSOR_PREFIX + position).getBytes(StandardCharsets.US_ASCII));
  }

  /** The position a cursor stands for; {@link Long#MAX_VALUE} (the newest) for none. */
  static long decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return Long.MAX_VALUE;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      if (text.startsWith(CURSOR_PREFIX)) {
        long position = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
        if (position >= 0) {
          return position;
        }
      }
    } catch (IllegalArgumentException malformed) {
      // Falls through to the refusal below.
    }
    throw new InvalidRequestException("cursor is not one that /requests gave out; pass the nextCursor of the page "
        + "before, or leave cursor out for the newest jobs");
  }
}
