package dev.runline.spi;

import java.net.URI;
import java.util.Objects;

/**
 * All of a job that a store shared by several nodes keeps, so that any node can answer for it
 * and run it: what was submitted (which never changes) and its current state. A node makes
 * its own job object from a record ({@link JobStore.Context#restore}).
 *
 * @param id the job's id
 * @param endpoint the endpoint's name
 * @param owner the identity of the API key that submitted it, as the engine gives it (a
 *     digest of the key, never the key, for a shared store: {@link #ownerOf})
 * @param input the request's {@code input}
 * @param ttlMillis its ttl
 * @param executionTimeoutMillis its execution timeout
 * @param lowPriority whether it waits behind normal-priority jobs
 * @param sync whether it came from {@code runSync} (its retention differs)
 * @param webhook the request's webhook, or {@code null}
 * @param s3Config the request's {@code s3Config}, or {@code null}
 * @param state its current state
 */
public record JobRecord(JobId id, String endpoint, String owner, Object input, int ttlMillis,
    int executionTimeoutMillis, boolean lowPriority, boolean sync, URI webhook, Object s3Config, JobState state) {

  public JobRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(state, "state");
  }

  /** The same job in {@code next}. */
  public JobRecord withState(JobState next) {
    return new JobRecord(id, endpoint, owner, input, ttlMillis, executionTimeoutMillis, lowPriority, sync, webhook,
        s3Config, next);
  }
}
