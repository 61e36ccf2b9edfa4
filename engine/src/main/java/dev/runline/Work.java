package dev.runline;

import java.util.Objects;

/**
 * What an endpoint runs: exactly one of a plain handler, a streaming (generator) handler, a
 * compute kernel that the endpoint's backend implements, or code outside the engine that the
 * endpoint's backend serves ({@link External}).
 */
public sealed interface Work permits Work.Plain, Work.Streaming, Work.Kernel, Work.External {

  /** A handler whose return value is the job's output. */
  record Plain(Handler handler) implements Work {
    public Plain {
      Objects.requireNonNull(handler, "handler");
    }
  }

  /** A generator handler: each chunk it emits is readable through {@code /stream}. */
  record Streaming(StreamingHandler handler) implements Work {
    public Streaming {
      Objects.requireNonNull(handler, "handler");
    }
  }

  /**
   * A built-in compute kernel, by name (e.g. {@code vector-search}), computed by the
   * endpoint's backend with the settings in its {@code backendSettings}. The backend checks
   * the name and the settings when the engine starts.
   */
  record Kernel(String name) implements Work {
    public Kernel {
      Objects.requireNonNull(name, "kernel");
      if (name.isBlank()) {
        throw new IllegalArgumentException("kernel must name a kernel, e.g. 'vector-search', was blank");
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * No code in the engine: the endpoint's jobs are run by worker processes outside it, which its
   * backend serves (e.g. backend {@code remote}, whose workers take jobs over HTTP with the
   * service's worker protocol). A backend that runs code itself refuses such an endpoint.
   */
  record External() implements Work {
    @Override
    public String toString() {
      return "external workers";
    }
  }
}
