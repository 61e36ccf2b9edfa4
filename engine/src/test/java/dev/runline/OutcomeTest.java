package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a handler's result ends its attempt. */
class OutcomeTest {
  private static final Endpoint ENDPOINT = Endpoint.builder("e").handler(job -> null).maxOutputBytes(100).build();

  @Test
  void aReturnedValueCompletesTheJobAsItsOutput() {
    assertThat(Outcome.of(List.of(1, 2), null, ENDPOINT)).isEqualTo(new Outcome(Status.COMPLETED, List.of(1, 2), null));
    assertThat(Outcome.of(null, null, ENDPOINT)).isEqualTo(new Outcome(Status.COMPLETED, null, null));
  }

  @Test
  void aThrownExceptionFailsTheJobWithItsTypeAndMessage() {
    assertThat(Outcome.of(null, new IllegalStateException("no model"), ENDPOINT))
        .isEqualTo(new Outcome(Status.FAILED, null, "IllegalStateException: no model"));
    assertThat(Outcome.of("ignored", new ArithmeticException(), ENDPOINT).error()).isEqualTo("ArithmeticException");
  }

  @Test
  void anExceptionWhoseMessageThrowsIsStillDescribed() {
    RuntimeException odd = new RuntimeException() {
      @Override
      public String getMessage() {
        throw new UnsupportedOperationException();
      }
    };

    assertThat(Outcome.describe(odd)).startsWith("dev.runline.OutcomeTest$")
        .endsWith("(its message could not be read: java.lang.UnsupportedOperationException)");
  }

  @Test
  void aMapWithAnErrorKeyFailsTheJobAndKeepsTheRestAsOutput() {
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("error", "bad prompt");
    output.put("partial", 3);

    assertThat(Outcome.of(output, null, ENDPOINT)).isEqualTo(new Outcome(Status.FAILED, Map.of("partial", 3), "bad prompt"));
    assertThat(Outcome.of(Map.of("error", 42), null, ENDPOINT)).isEqualTo(new Outcome(Status.FAILED, null, "42"));
  }

  @Test
  void aJsonObjectWithAnErrorKeyFailsTheJobTheSameWay() {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("error", "bad").put("partial", 3);

    Outcome outcome = Outcome.of(node, null, ENDPOINT);

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.error()).isEqualTo("bad");
    assertThat(outcome.output()).isEqualTo(JsonNodeFactory.instance.objectNode().put("partial", 3));
    assertThat(node.has("error")).as("the handler's own object is left as it was").isTrue();
  }

  @Test
  void anOutputOverTheLimitFailsTheJobNamingTheLimit() {
    Outcome outcome = Outcome.of("x".repeat(200), null, ENDPOINT);

    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.output()).isNull();
    assertThat(outcome.error()).contains("maxOutputBytes 100").contains("endpoint 'e'");
  }
}
