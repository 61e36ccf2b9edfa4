package dev.runline.config;

import dev.runline.ChunkSink;
import dev.runline.Handler;
import dev.runline.JobContext;
import dev.runline.StreamingHandler;

/** Handler classes that configuration files in the tests name by class name. */
public final class TestHandlers {
  private TestHandlers() {}

  /** A plain handler: the input as an upper-case string. */
  public static final class Upper implements Handler {
    @Override
    public Object handle(JobContext job) {
      return String.valueOf(job.input()).toUpperCase(java.util.Locale.ROOT);
    }
  }

  /** A streaming handler: one chunk per character of the input. */
  public static final class Letters implements StreamingHandler {
    @Override
    public void handle(JobContext job, ChunkSink sink) {
      String.valueOf(job.input()).chars().forEach(c -> sink.emit(String.valueOf((char) c)));
    }
  }

  /** Both kinds at once: the file cannot say which is meant. */
  public static final class Both implements Handler, StreamingHandler {
    @Override
    public Object handle(JobContext job) {
      return null;
    }

    @Override
    public void handle(JobContext job, ChunkSink sink) {}
  }

  /** No no-arg constructor. */
  public static final class NeedsArgument implements Handler {
    public NeedsArgument(String argument) {}

    @Override
    public Object handle(JobContext job) {
      return null;
    }
  }

  /** A constructor that fails. */
  public static final class Failing implements Handler {
    public Failing() {
      throw new IllegalStateException("model file missing");
    }

    @Override
    public Object handle(JobContext job) {
      return null;
    }
  }
}
