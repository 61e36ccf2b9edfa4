package dev.runline;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random (version 4) UUIDs for job ids. Each thread draws from its own cryptographically
 * strong generator, a block of ids' worth of bytes at a time, so ids stay unguessable
 * without submitters contending on one shared {@link SecureRandom} or paying its cost per id.
 */
final class JobIds {
  private static final int IDS_PER_BLOCK = 64;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SYNC = "sync-".getBytes(StandardCharsets.US_ASCII);
  private static final ThreadLocal<Source> SOURCE = ThreadLocal.withInitial(Source::new);

  private JobIds() {}

  static String next(boolean sync) {
    return SOURCE.get().next(sync);
  }

  private static final class Source {
    private final SecureRandom random = newRandom();
    private final byte[] block = new byte[16 * IDS_PER_BLOCK];
    private int used = block.length;
    /** The id being written, reused: the String copies it. */
    private final byte[] out = new byte[SYNC.length + 36];

    String next(boolean sync) {
      if (used == block.length) {
        random.nextBytes(block);
        used = 0;
      }
      int at = used;
      used += 16;
      block[at + 6] = (byte) ((block[at + 6] & 0x0f) | 0x40);
      block[at + 8] = (byte) ((block[at + 8] & 0x3f) | 0x80);
      int prefix = sync ? 5 : 0;
      if (sync) {
        System.arraycopy(SYNC, 0, out, 0, prefix);
      }
      int pos = prefix;
      for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
          out[pos++] = '-';
        }
        int b = block[at + i] & 0xff;
        out[pos++] = HEX[b >>> 4];
        out[pos++] = HEX[b & 0x0f];
      }
      java.util.Arrays.fill(block, at, at + 16, (byte) 0);
      return new String(out, 0, pos, StandardCharsets.ISO_8859_1);
    }
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
