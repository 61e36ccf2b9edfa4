package dev.runline.spi;

import dev.runline.RunlineBuilder;
import java.time.Duration;

/**
 * Makes an engine a node of a service whose jobs live in a shared store, for the
 * configuration file's {@code cluster:} section; found by {@link java.util.ServiceLoader}
 * through the scheme of the store's URI (a module such as {@code runline-redis} provides one).
 */
public interface SharedStoreProvider {

  /** Whether it serves URIs of {@code scheme} (e.g. {@code redis}). */
  boolean serves(String scheme);

  /**
   * Sets {@code builder}'s job store (and what else the store shares, such as the rate
   * limits) to the store at {@code uri}, as node {@code node}.
   *
   * @param node this node's name, or {@code null} for the provider's default
   * @param leaseTimeout how long a silent node keeps its jobs, or {@code null} for the default
   * @param maxRedeliveries how often a lost node's job runs again, or {@code null} for the default
   * @throws IllegalArgumentException naming the bad setting
   */
  RunlineBuilder join(RunlineBuilder builder, String uri, String node, Duration leaseTimeout, Integer maxRedeliveries);
}
