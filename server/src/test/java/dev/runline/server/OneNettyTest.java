package dev.runline.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Vert.x and Lettuce each bring Netty; the server must run on one version of all its parts,
 * since a mix fails only at run time, on the code path that needs the missing method.
 */
class OneNettyTest {
  @Test
  void everyNettyArtifactOnTheClasspathIsTheSameVersion() {
    Map<String, Version> artifacts = Version.identify();

    assertThat(artifacts).containsKeys("netty-common", "netty-transport", "netty-codec-http");
    assertThat(artifacts.values().stream().map(Version::artifactVersion).collect(Collectors.toSet()))
        .as("Netty versions by artifact: %s", artifacts)
        .hasSize(1);
  }
}
