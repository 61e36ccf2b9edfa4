package dev.runline;

/** A caller of the endpoint API, authenticated by its API key ({@link Runline#as}). */
public interface Caller {
  /**
   * The routes of endpoint {@code name} for this caller.
   *
   * @throws NotFoundException when the engine has no endpoint of that name
   */
  EndpointClient endpoint(String name);
}
