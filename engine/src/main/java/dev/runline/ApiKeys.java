package dev.runline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The configured API keys. A presented key is compared with every configured key in
 * constant time, so the time taken says nothing about how much of it matched. Keys are
 * never logged or put in messages.
 */
final class ApiKeys {
  /** The owner of every job of an engine built without keys. */
  static final String OPEN = "";

  private final String[] keys;
  private final byte[][] keyBytes;

  ApiKeys(List<String> keys) {
    this.keys = keys.toArray(String[]::new);
    this.keyBytes = new byte[this.keys.length][];
    for (int i = 0; i < this.keys.length; i++) {
      keyBytes[i] = this.keys[i].getBytes(StandardCharsets.UTF_8);
    }
  }

  boolean isOpen() {
    return keys.length == 0;
  }

  /**
   * The owner identity of {@code presented}: the configured key it equals.
   *
   * @throws UnauthorizedException when it is missing or unknown
   */
  String authenticate(String presented) {
    if (keys.length == 0) {
      return OPEN;
    }
    if (presented == null || presented.isEmpty()) {
      throw new UnauthorizedException(
          "an API key is required: send it as 'Authorization: Bearer <key>'");
    }
    byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
    String match = null;
    for (int i = 0; i < keys.length; i++) {
      if (MessageDigest.isEqual(keyBytes[i], bytes)) {
        match = keys[i];
      }
    }
    if (match == null) {
      throw new UnauthorizedException("the API key is not valid for this server");
    }
    return match;
  }
}
