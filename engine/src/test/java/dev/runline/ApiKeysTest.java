package dev.runline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A presented key is found among many in one step, or refused; an engine without keys is open. */
class ApiKeysTest {
  @Test
  void eachOfManyKeysIsItsOwnOwner() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      keys.add("key-" + i + "-xxxxxxxx");
    }
    ApiKeys apiKeys = new ApiKeys(keys);

    for (String key : keys) {
      assertThat(apiKeys.authenticate(key)).isEqualTo(key);
    }
  }

  @Test
  void anUnknownKeyAPrefixOfAKeyOrNoKeyIsRefused() {
    ApiKeys apiKeys = new ApiKeys(List.of("key-one-xxxxxxxx"));

    assertThatThrownBy(() -> apiKeys.authenticate("key-one-xxxxxxx")).isInstanceOf(UnauthorizedException.class)
        .hasMessage("the API key is not valid for this server");
    assertThatThrownBy(() -> apiKeys.authenticate("key-one-xxxxxxxxx")).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> apiKeys.authenticate(null)).isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("an API key is required");
    assertThatThrownBy(() -> apiKeys.authenticate("")).isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void withoutKeysEveryCallerIsTheOpenOwner() {
    ApiKeys apiKeys = new ApiKeys(List.of());

    assertThat(apiKeys.isOpen()).isTrue();
    assertThat(apiKeys.authenticate(null)).isEqualTo(ApiKeys.OPEN);
    assertThat(apiKeys.authenticate("anything")).isEqualTo(ApiKeys.OPEN);
  }
}
