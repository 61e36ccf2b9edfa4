package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each endpoint setting is checked when it is set, with a message naming it. */
class EndpointBuilderTest {

  @Test
  void defaultsFollowTheService() {
    Endpoint endpoint = Endpoint.builder("echo").handler(job -> null).build();
    assertThat(endpoint.backend()).isEqualTo("cpu");
    assertThat(endpoint.runRetention()).isEqualTo(Duration.ofMinutes(30));
    assertThat(endpoint.runSyncRetention()).isEqualTo(Duration.ofMinutes(1));
    assertThat(endpoint.defaultPolicy()).isEqualTo(Policy.DEFAULT);
    assertThat(endpoint.limit(Route.RUN)).isEqualTo(RouteLimit.of(1000, Duration.ofSeconds(10), 200));
    assertThat(endpoint.limit(Route.RUNSYNC)).isEqualTo(RouteLimit.of(2000, Duration.ofSeconds(10), 400));
    assertThat(endpoint.limit(Route.STATUS).requests()).isEqualTo(2000);
    assertThat(endpoint.limit(Route.CANCEL)).isEqualTo(RouteLimit.of(100, Duration.ofSeconds(10), 20));
    assertThat(endpoint.limit(Route.PURGE_QUEUE).requests()).isEqualTo(2);
    assertThat(endpoint.limit(Route.RETRY).requests()).isEqualTo(100);
    assertThat(endpoint.returnAggregateStream()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "a/b", "-leading"})
  void aNameThatCannotBeAPathSegmentIsRefused(String name) {
    assertThatThrownBy(() -> Endpoint.builder(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint name");
  }

  @Test
  void workersAndQueueCapacityMustBePositive() {
    assertThatThrownBy(() -> Endpoint.builder("e").workers(0))
        .hasMessageContaining("workers").hasMessageContaining("was 0");
    assertThatThrownBy(() -> Endpoint.builder("e").queueCapacity(0))
        .hasMessageContaining("queueCapacity").hasMessageContaining("was 0");
  }

  @Test
  void retentionMustBePositive() {
    assertThatThrownBy(() -> Endpoint.builder("e").retention(Duration.ZERO, Duration.ofMinutes(1)))
        .hasMessageContaining("retention.run");
  }

  @Test
  void aDefaultPolicyOutOfTheServicesRangeIsRefused() {
    assertThatThrownBy(() -> Endpoint.builder("e").defaultPolicy(new Policy(Duration.ofSeconds(1), Duration.ofHours(1), false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy.executionTimeout");
  }

  @Test
  void anEndpointNeedsAHandler() {
    assertThatThrownBy(() -> Endpoint.builder("e").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("handler");
  }

  @Test
  void anEndpointRunsExactlyOneKindOfWorkTheLastSet() {
    Handler handler = job -> null;
    Endpoint search = Endpoint.builder("search").handler(handler).kernel("vector-search")
        .backendSetting("index", java.util.Map.of("n", 10, "d", 2)).build();

    assertThat(search.work()).isEqualTo(new Work.Kernel("vector-search"));
    assertThat(Endpoint.builder("e").kernel("matmul").handler(handler).build().work()).isEqualTo(new Work.Plain(handler));
  }

  @Test
  void aBlankKernelNameIsRefused() {
    assertThatThrownBy(() -> Endpoint.builder("e").kernel(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernel must name a kernel");
  }

  @Test
  void toBuilderCopiesEverySetting() {
    Endpoint original = Endpoint.builder("e").kernel("matmul").backend("cpu").backendSetting("maxDim", 8).workers(3)
        .queueCapacity(7).limit(Route.RUN, RouteLimit.UNLIMITED).retention(Duration.ofMinutes(2), Duration.ofMinutes(3))
        .returnAggregateStream(true).build();

    Endpoint moved = original.toBuilder().backend("cuda").build();

    assertThat(moved.backend()).isEqualTo("cuda");
    assertThat(moved.work()).isEqualTo(original.work());
    assertThat(moved.backendSettings()).isEqualTo(original.backendSettings());
    assertThat(moved.workers()).isEqualTo(3);
    assertThat(moved.queueCapacity()).isEqualTo(7);
    assertThat(moved.limit(Route.RUN)).isEqualTo(RouteLimit.UNLIMITED);
    assertThat(moved.runRetention()).isEqualTo(Duration.ofMinutes(2));
    assertThat(moved.runSyncRetention()).isEqualTo(Duration.ofMinutes(3));
    assertThat(moved.returnAggregateStream()).isTrue();
    assertThat(original.backend()).isEqualTo("cpu");
  }

  @Test
  void unlimitedSwitchesEveryRouteOff() {
    Endpoint endpoint = Endpoint.builder("e").handler(job -> null).unlimited().build();
    for (Route route : Route.values()) {
      assertThat(endpoint.limit(route)).isEqualTo(RouteLimit.UNLIMITED);
    }
  }

  @Test
  void aRouteLimitChecksItsValues() {
    assertThatThrownBy(() -> RouteLimit.of(0, Duration.ofSeconds(1), 0)).hasMessageContaining("requests");
    assertThatThrownBy(() -> RouteLimit.of(1, Duration.ZERO, 0)).hasMessageContaining("period");
    assertThatThrownBy(() -> RouteLimit.of(1, Duration.ofSeconds(1), -1)).hasMessageContaining("concurrent");
  }
}
