package dev.runline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import dev.runline.Handler;
import dev.runline.Work;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {
  private static final Handler NOTHING = job -> null;

  @Test
  void namesAreListedInRegistrationOrder() {
    HandlerRegistry registry = HandlerRegistry.builder()
        .handler("b", NOTHING)
        .streaming("a", (job, sink) -> {})
        .handler("c", NOTHING)
        .build();

    assertThat(registry.names()).containsExactly("b", "c", "a");
  }

  @Test
  void aNameIsRegisteredOnce() {
    HandlerRegistry.Builder builder = HandlerRegistry.builder().handler("echo", NOTHING);

    assertThatThrownBy(() -> builder.streaming("echo", (job, sink) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handler 'echo' is registered twice");
    assertThatThrownBy(() -> builder.handler(" ", NOTHING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a handler name must not be blank");
  }

  @Test
  void aRegisteredNameWinsOverAClassOfTheSameName() {
    Handler registered = job -> "registered";
    HandlerRegistry registry = HandlerRegistry.builder()
        .handler(TestHandlers.Upper.class.getName(), registered)
        .build();
    Endpoint.Builder endpoint = Endpoint.builder("e");

    registry.install(TestHandlers.Upper.class.getName(), endpoint);

    assertThat(endpoint.build().work()).isEqualTo(new Work.Plain(registered));
  }

  @Test
  void aRegistryWithoutNamesTakesClassNames() {
    Endpoint.Builder endpoint = Endpoint.builder("e");

    HandlerRegistry.classesOnly().install(TestHandlers.Letters.class.getName(), endpoint);

    assertThat(((Work.Streaming) endpoint.build().work()).handler()).isInstanceOf(TestHandlers.Letters.class);
    assertThatThrownBy(() -> HandlerRegistry.classesOnly().install("echo", Endpoint.builder("e")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown handler 'echo'; no names are registered;");
  }

  @Test
  void classesAreLoadedFromTheGivenClassLoader() throws Exception {
    // A loader that sees only the JDK classes cannot find the test's handler classes.
    try (URLClassLoader jdkOnly = new URLClassLoader(new URL[0], null)) {
      HandlerRegistry registry = HandlerRegistry.builder().classLoader(jdkOnly).build();

      assertThatThrownBy(() -> registry.install(TestHandlers.Upper.class.getName(), Endpoint.builder("e")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no class of that name is on the class path");
    }
  }
}
