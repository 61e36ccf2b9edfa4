package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.spi.Backend;
import dev.runline.spi.BackendContext;
import dev.runline.spi.BackendProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The engine builder checks each setting at once, and the whole picture at build(). */
class RunlineBuilderTest {

  @Test
  void buildWithoutEndpointsIsRefused() {
    assertThatThrownBy(() -> Runline.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one endpoint");
  }

  @Test
  void aMissingBackendIsNamedWithTheBackendsThatArePresent() {
    RunlineBuilder builder = Runline.builder()
        .endpoint(Endpoint.builder("gpu-job").handler(job -> null).backend("cuda").build());
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("endpoint 'gpu-job'")
        .hasMessageContaining("backend 'cuda'")
        .hasMessageContaining("runline-backend-cuda");
  }

  @Test
  void anUnavailableBackendFailsTheStartWithItsCause() {
    BackendProvider unavailable = new BackendProvider() {
      @Override
      public String name() {
        return "gpu";
      }

      @Override
      public boolean isAvailable() {
        return false;
      }

      @Override
      public Throwable unavailabilityCause() {
        return new UnsupportedOperationException("no CUDA device");
      }

      @Override
      public Backend open(BackendContext context) {
        throw new AssertionError("never opened");
      }
    };
    RunlineBuilder builder = Runline.builder().backend(unavailable)
        .endpoint(Endpoint.builder("e").handler(job -> null).backend("gpu").build());
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot run here: no CUDA device");
  }

  @Test
  void anEndpointNameIsRegisteredOnce() {
    Endpoint endpoint = Endpoint.builder("e").handler(job -> null).build();
    RunlineBuilder builder = Runline.builder().endpoint(endpoint);
    assertThatThrownBy(() -> builder.endpoint(endpoint)).hasMessageContaining("registered twice");
  }

  @Test
  void settingsAreCheckedWhenSet() {
    assertThatThrownBy(() -> Runline.builder().apiKeys("short")).hasMessageContaining("at least 8 characters");
    assertThatThrownBy(() -> Runline.builder().webhookAttempts(0)).hasMessageContaining("webhookAttempts");
    assertThatThrownBy(() -> Runline.builder().shutdownTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("shutdownTimeout");
    assertThatThrownBy(() -> Runline.builder().webhookTimeout(Duration.ZERO)).hasMessageContaining("webhookTimeout");
  }

  @Test
  void anApiKeyNeverAppearsInAValidationMessage() {
    assertThatThrownBy(() -> Runline.builder().apiKeys("secret1"))
        .message().doesNotContain("secret1");
  }

  @Test
  void statusKnowsWhichStatesAreTerminal() {
    assertThat(Status.IN_QUEUE.isTerminal()).isFalse();
    assertThat(Status.IN_PROGRESS.isTerminal()).isFalse();
    assertThat(Status.COMPLETED.isTerminal()).isTrue();
    assertThat(Status.FAILED.isTerminal()).isTrue();
    assertThat(Status.CANCELLED.isTerminal()).isTrue();
    assertThat(Status.TIMED_OUT.isTerminal()).isTrue();
  }
}
