package dev.runline.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code docs/} folder, whether the tests run from the repository or from the server module. */
final class Docs {
  private Docs() {}

  static Path dir() {
    Path here = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(here.resolve("server")) ? here : here.getParent();
    return root.resolve("docs");
  }
}
