package dev.runline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The machine a figure was measured on, in a few words for the report and the charts. */
final class Machine {
  private Machine() {}

  /** The CPU model from {@code /proc/cpuinfo} (Linux), if it can be read. */
  static Optional<String> cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          int colon = line.indexOf(':');
          String model = colon < 0 ? "" : line.substring(colon + 1).trim();
          return model.isEmpty() ? Optional.empty() : Optional.of(model);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the model is simply left out.
    }
    return Optional.empty();
  }

  /** E.g. "2 CPUs (AMD EPYC), OpenJDK 64-Bit Server VM 17.0.15". */
  static String describe() {
    int cpus = Runtime.getRuntime().availableProcessors();
    return cpus + " CPU" + (cpus == 1 ? "" : "s") + cpuModel().map(m -> " (" + m + ")").orElse("")
        + ", " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
  }
}
