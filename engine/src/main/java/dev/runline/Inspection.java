package dev.runline;

import java.util.Optional;
import java.util.List;
import java.util.Set;

/**
 * What the host application may see and do without an API key or a rate limit, e.g. for
 * metrics and tests ({@link Runline#inspect()}). Never exposed to callers of the API.
 */
public interface Inspection {
  /** The names of the registered endpoints, in registration order. */
  Set<String> endpoints();

  /**
   * The endpoint's counts.
   *
   * @throws NotFoundException when there is no endpoint of that name
   */
  Health health(String endpoint);

  /**
   * The endpoint's backend when it is a {@code type}: how the host reaches what a backend offers
   * beyond running jobs, e.g. the routes its remote workers call.
   *
   * @return empty when the endpoint's backend is not a {@code type}
   * @throws NotFoundException when there is no endpoint of that name
   */
  <T> Optional<T> backend(String endpoint, Class<T> type);

  /**
   * The definition of endpoint {@code name}: its backend, workers and limits.
   *
   * @throws NotFoundException when there is no endpoint of that name
   */
  Endpoint endpoint(String name);

  /**
   * Adds a listener told of every job that reaches a terminal state from now on, like one
   * given to {@link RunlineBuilder#listener}, for a host that attaches it to a running
   * engine (e.g. a server started on an engine built elsewhere). Close the returned handle
   * to remove it.
   */
  AutoCloseable listen(JobListener listener);

  /**
   * The nodes serving these endpoints together, by name, this one first: with a job store
   * shared by several nodes, those alive now (their lease not run out); none otherwise.
   */
  default List<String> nodes() {
    return List.of();
  }

  /** Webhook deliveries since start, over every endpoint. */
  Webhooks webhooks();

  /** Runs the job store's expiry work that is due now (useful under a manual clock). */
  void runPendingExpiry();

  /**
   * Webhook deliveries: those a receiver accepted (2xx), and those given up after every
   * attempt failed.
   */
  record Webhooks(long delivered, long abandoned) {}
}
