package dev.runline.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The keys that worker processes of {@code remote} endpoints send, kept apart from the
 * clients' API keys. A presented key is compared with every configured key, each by its SHA-256
 * digest and in constant time, so neither the time taken nor which key matched tells an
 * attacker anything about how much of a guess was right. Keys are never logged or put in
 * messages.
 */
final class WorkerKeys {
  private final List<byte[]> digests;

  WorkerKeys(List<String> keys) {
    this.digests = keys.stream().map(WorkerKeys::digest).toList();
  }

  /** Whether no worker key is configured (then no worker may call the worker routes). */
  boolean isEmpty() {
    return digests.isEmpty();
  }

  /** Whether {@code presented} is one of the keys. */
  boolean accepts(String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    byte[] candidate = digest(presented);
    boolean found = false;
    for (byte[] key : digests) {
      // Every key is compared, whatever matched before: no early exit to time.
      found |= MessageDigest.isEqual(key, candidate);
    }
    return found;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
