package dev.runline.config;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.StreamingHandler;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The handlers a configuration file may name. An endpoint's {@code handler:} is looked up
 * here first; when no handler is registered under it and it contains a dot, it is taken as
 * the fully-qualified name of a public class with a public no-arg constructor that
 * implements {@link Handler} or {@link StreamingHandler}, and a new instance is made for
 * each endpoint that names it.
 *
 * <pre>{@code
 * HandlerRegistry handlers = HandlerRegistry.builder()
 *     .handler("echo", job -> job.input())
 *     .streaming("tokens", (job, sink) -> { sink.emit("a"); sink.emit("b"); })
 *     .build();
 * }</pre>
 *
 * <p>A registry is immutable and may be shared.
 */
public final class HandlerRegistry {
  private final Map<String, Handler> handlers;
  private final Map<String, StreamingHandler> streamingHandlers;
  private final ClassLoader classLoader;

  private HandlerRegistry(Builder builder) {
    this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.handlers));
    this.streamingHandlers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.streamingHandlers));
    this.classLoader = builder.classLoader;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A registry without names: every {@code handler:} in the file must be a class name. */
  public static HandlerRegistry classesOnly() {
    return builder().build();
  }

  /** The registered names, plain and streaming, in registration order. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>(handlers.keySet());
    names.addAll(streamingHandlers.keySet());
    return Collections.unmodifiableSet(names);
  }

  /**
   * Sets the handler named {@code name} on {@code endpoint}.
   *
   * @throws IllegalArgumentException when the name is neither registered nor a usable
   *     handler class; the message says which and why
   */
  void install(String name, Endpoint.Builder endpoint) {
    Handler handler = handlers.get(name);
    if (handler != null) {
      endpoint.handler(handler);
      return;
    }
    StreamingHandler streamingHandler = streamingHandlers.get(name);
    if (streamingHandler != null) {
      endpoint.streamingHandler(streamingHandler);
      return;
    }
    Object instance = instantiate(name);
    if (instance instanceof Handler plain) {
      endpoint.handler(plain);
    } else {
      endpoint.streamingHandler((StreamingHandler) instance);
    }
  }

  private Object instantiate(String className) {
    String registered = names().isEmpty() ? "no names are registered" : "the registered names are "
        + String.join(", ", names());
    String classRule = "a public class with a public no-arg constructor that implements "
        + Handler.class.getName() + " or " + StreamingHandler.class.getName();
    // A name without a dot cannot be a fully-qualified class name, so it can only be a
    // misspelt or unregistered handler name.
    if (!className.contains(".")) {
      throw new IllegalArgumentException("unknown handler '" + className + "'; " + registered
          + "; a fully-qualified class name of " + classRule + " works too");
    }
    Class<?> type;
    try {
      type = Class.forName(className, true, loader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("unknown handler '" + className + "': it is not a registered name ("
          + registered + ") and no class of that name is on the class path", e);
    } catch (LinkageError e) {
      throw new IllegalArgumentException("class " + className + " cannot be loaded: " + e, e);
    }
    boolean plain = Handler.class.isAssignableFrom(type);
    boolean streaming = StreamingHandler.class.isAssignableFrom(type);
    if (plain == streaming) {
      throw new IllegalArgumentException("class " + className + " implements "
          + (plain ? "both " : "neither ") + Handler.class.getName() + (plain ? " and " : " nor ")
          + StreamingHandler.class.getName() + "; it must be " + classRule + " (exactly one of them)");
    }
    try {
      return type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("class " + className + " has no public no-arg constructor", e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("the constructor of handler class " + className + " threw "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("class " + className + " cannot be instantiated (it must be "
          + classRule + "): " + e, e);
    }
  }

  private ClassLoader loader() {
    if (classLoader != null) {
      return classLoader;
    }
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : HandlerRegistry.class.getClassLoader();
  }

  /** Collects named handlers; each name may be registered once. */
  public static final class Builder {
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final Map<String, StreamingHandler> streamingHandlers = new LinkedHashMap<>();
    private ClassLoader classLoader;

    private Builder() {}

    /**
     * Registers a plain handler.
     *
     * @throws IllegalArgumentException when the name is blank or already registered
     */
    public Builder handler(String name, Handler handler) {
      checkName(name);
      handlers.put(name, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Registers a streaming (generator) handler.
     *
     * @throws IllegalArgumentException when the name is blank or already registered
     */
    public Builder streaming(String name, StreamingHandler handler) {
      checkName(name);
      streamingHandlers.put(name, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Where handler classes named in the file are loaded from (default: the calling
     * thread's context class loader, else this library's).
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    public HandlerRegistry build() {
      return new HandlerRegistry(this);
    }

    private void checkName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a handler name must not be blank");
      }
      if (handlers.containsKey(name) || streamingHandlers.containsKey(name)) {
        throw new IllegalArgumentException("handler '" + name + "' is registered twice");
      }
    }
  }
}
