package dev.runline.spi;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A job's id: 128 bits written as a version-4 UUID ({@code xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx}),
 * with {@code sync-} in front for {@code runSync} jobs. At least 90 of its bits are random
 * from a cryptographically strong generator, so ids are unguessable and never repeat. A job
 * store may choose the first 32 bits ({@link #random(boolean, int)}: a tag that tells it where
 * it keeps the job), so that finding a job by id needs no hash lookup.
 *
 * <p>Compact (two longs), since a store keeps one per retained job; the text is made when
 * asked for.
 */
public final class JobId {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final String SYNC = "sync-";
  private static final int TEXT_LENGTH = 36;
  private static final ThreadLocal<Source> SOURCE = ThreadLocal.withInitial(Source::new);

  private final long high;
  private final long low;
  private final boolean sync;

  private JobId(long high, long low, boolean sync) {
    this.high = high;
    this.low = low;
    this.sync = sync;
  }

  /** A fresh id, random but for its version and variant bits (122 random bits). */
  public static JobId random(boolean sync) {
    Source source = SOURCE.get();
    return of(source.nextLong(), source.nextLong(), sync);
  }

  /** A fresh id whose first 32 bits are {@code tag} and whose other bits are random (90 of them). */
  public static JobId random(boolean sync, int tag) {
    Source source = SOURCE.get();
    return of(((long) tag << 32) | (source.nextLong() & 0xFFFF_FFFFL), source.nextLong(), sync);
  }

  private static JobId of(long high, long low, boolean sync) {
    // Version 4, variant 10xx: the layout of a random UUID.
    return new JobId((high & ~0xF000L) | 0x4000L, (low & ~(0xC0L << 56)) | (0x80L << 56), sync);
  }

  /**
   * The id whose bits are {@code high}, {@code low} and {@code sync}, as {@link #high()},
   * {@link #low()} and {@link #isSync()} gave them: for whoever keeps ids as bits (a store, a
   * record that keeps only what it needs).
   */
  public static JobId fromBits(long high, long low, boolean sync) {
    return new JobId(high, low, sync);
  }

  /** The first 64 bits. */
  public long high() {
    return high;
  }

  /** The last 64 bits. */
  public long low() {
    return low;
  }

  /** Whether this id has the bits {@code high}, {@code low} and {@code sync}. */
  public boolean is(long high, long low, boolean sync) {
    return this.high == high && this.low == low && this.sync == sync;
  }

  /**
   * The id written as {@code text}, or {@code null} when it is not one (wrong length, not
   * hexadecimal, not version 4): a caller's id that cannot name a job.
   */
  public static JobId parse(CharSequence text) {
    if (text == null) {
      return null;
    }
    int start = 0;
    boolean sync = false;
    if (text.length() == SYNC.length() + TEXT_LENGTH && startsWithSync(text)) {
      start = SYNC.length();
      sync = true;
    } else if (text.length() != TEXT_LENGTH) {
      return null;
    }
    long high = 0;
    long low = 0;
    int digits = 0;
    for (int i = 0; i < TEXT_LENGTH; i++) {
      char c = text.charAt(start + i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return null;
        }
        continue;
      }
      int value = Character.digit(c, 16);
      if (value < 0 || c >= 'A' && c <= 'F') {
        return null;
      }
      if (digits < 16) {
        high = (high << 4) | value;
      } else {
        low = (low << 4) | value;
      }
      digits++;
    }
    JobId id = new JobId(high, low, sync);
    return ((high >>> 12) & 0xF) == 4 && (low >>> 62) == 2 ? id : null;
  }

  private static boolean startsWithSync(CharSequence text) {
    for (int i = 0; i < SYNC.length(); i++) {
      if (text.charAt(i) != SYNC.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The first 32 bits: the tag a store gave it, or random ones. */
  public int tag() {
    return (int) (high >>> 32);
  }

  /** Whether it names a {@code runSync} job ({@code sync-} in front). */
  public boolean isSync() {
    return sync;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JobId id && id.high == high && id.low == low && id.sync == sync;
  }

  @Override
  public int hashCode() {
    long h = high ^ low;
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public String toString() {
    byte[] out = new byte[(sync ? SYNC.length() : 0) + TEXT_LENGTH];
    int pos = 0;
    if (sync) {
      for (int i = 0; i < SYNC.length(); i++) {
        out[pos++] = (byte) SYNC.charAt(i);
      }
    }
    pos = hex(out, pos, high >>> 32, 8);
    out[pos++] = '-';
    pos = hex(out, pos, high >>> 16, 4);
    out[pos++] = '-';
    pos = hex(out, pos, high, 4);
    out[pos++] = '-';
    pos = hex(out, pos, low >>> 48, 4);
    out[pos++] = '-';
    hex(out, pos, low, 12);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private static int hex(byte[] out, int pos, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[pos + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
    return pos + digits;
  }

  /**
   * Each thread draws from its own strong generator, a block of ids' worth of bytes at a
   * time, so submitters neither contend on one shared {@link SecureRandom} nor pay its cost
   * per id.
   */
  private static final class Source {
    private static final int LONGS_PER_BLOCK = 128;
    private final SecureRandom random = newRandom();
    private final byte[] block = new byte[8 * LONGS_PER_BLOCK];
    private int used = block.length;

    long nextLong() {
      if (used == block.length) {
        random.nextBytes(block);
        used = 0;
      }
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (block[used + i] & 0xFF);
        block[used + i] = 0;
      }
      used += 8;
      return value;
    }

    private static SecureRandom newRandom() {
      try {
        return SecureRandom.getInstance("DRBG");
      } catch (NoSuchAlgorithmException e) {
        return new SecureRandom();
      }
    }
  }
}
