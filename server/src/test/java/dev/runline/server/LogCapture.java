package dev.runline.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what is written to {@link System#err}, where the SLF4J simple binding logs (it
 * looks {@code System.err} up at each line unless told to cache it), while still passing it
 * on. Close to restore the previous stream.
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream previous;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogCapture() {
    this.previous = System.err;
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        previous.write(b);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (captured) {
          captured.write(bytes, offset, length);
        }
        previous.write(bytes, offset, length);
      }

      @Override
      public void flush() {
        previous.flush();
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  static LogCapture start() {
    return new LogCapture();
  }

  /** Everything logged since {@link #start()}. */
  String text() {
    System.err.flush();
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.err.flush();
    System.setErr(previous);
  }
}
