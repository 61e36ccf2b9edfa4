package dev.runline.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the protocol worker's script and a Python 3 to run it are; fails, naming what is missing. */
final class ProtocolWorker {
  private ProtocolWorker() {}

  static Path script() {
    Path script = Path.of("src/test/python/protocol_worker.py");
    if (!Files.exists(script)) {
      script = Path.of("server/src/test/python/protocol_worker.py");
    }
    if (!Files.exists(script)) {
      throw new IllegalStateException("the protocol worker script src/test/python/protocol_worker.py is missing");
    }
    return script.toAbsolutePath().normalize();
  }

  static String python() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "python3");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException("python3 is not on the PATH, so the worker processes of the remote-worker tests "
        + "cannot run (Debian: apt-get install python3); PATH=" + System.getenv("PATH"));
  }
}
