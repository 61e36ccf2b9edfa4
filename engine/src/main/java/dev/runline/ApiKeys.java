package dev.runline;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured API keys. A presented key is found in one step however many keys there are:
 * by its SipHash under a secret drawn at start (so its position tells an attacker nothing),
 * then compared with the one candidate in constant time, so the time taken says nothing about
 * how much of it matched. Keys are never logged or put in messages.
 */
final class ApiKeys {
  /** The owner of every job of an engine built without keys. */
  static final String OPEN = "";

  private final HashFunction hash;
  /** Configured keys by their hash; keys whose hashes collide share a list. */
  private final Map<Long, Candidate[]> byHash = new HashMap<>();
  private final boolean open;

  private record Candidate(String key, byte[] bytes) {}

  ApiKeys(List<String> keys) {
    SecureRandom random = new SecureRandom();
    this.hash = Hashing.sipHash24(random.nextLong(), random.nextLong());
    this.open = keys.isEmpty();
    for (String key : keys) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      byHash.merge(hash.hashBytes(bytes).asLong(), new Candidate[] {new Candidate(key, bytes)}, (a, b) -> {
        Candidate[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
      });
    }
  }

  /**
   * What a store shared by several nodes keeps of the key that submitted a job: its SHA-256,
   * the same on every node, from which the key cannot be found.
   */
  static String digest(String key) {
    return Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
  }

  boolean isOpen() {
    return open;
  }

  /**
   * The owner identity of {@code presented}: the configured key it equals.
   *
   * @throws UnauthorizedException when it is missing or unknown
   */
  String authenticate(String presented) {
    if (open) {
      return OPEN;
    }
    if (presented == null || presented.isEmpty()) {
      throw new UnauthorizedException(
          "an API key is required: send it as 'Authorization: Bearer <key>'");
    }
    byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
    Candidate[] candidates = byHash.get(hash.hashBytes(bytes).asLong());
    String match = null;
    if (candidates != null) {
      for (Candidate candidate : candidates) {
        if (MessageDigest.isEqual(candidate.bytes(), bytes)) {
          match = candidate.key();
        }
      }
    }
    if (match == null) {
      throw new UnauthorizedException("the API key is not valid for this server");
    }
    return match;
  }
}
