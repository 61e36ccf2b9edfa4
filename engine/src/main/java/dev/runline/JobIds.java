package dev.runline;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs for job ids, from a cryptographically strong generator per
 * thread, so ids stay unguessable without every submitter contending on one shared
 * {@link SecureRandom}.
 */
final class JobIds {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(JobIds::newRandom);

  private JobIds() {}

  static String next(boolean sync) {
    SecureRandom random = RANDOM.get();
    long msb = random.nextLong();
    long lsb = random.nextLong();
    msb = (msb & ~0xF000L) | 0x4000L;
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    String uuid = new UUID(msb, lsb).toString();
    return sync ? "sync-" + uuid : uuid;
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
