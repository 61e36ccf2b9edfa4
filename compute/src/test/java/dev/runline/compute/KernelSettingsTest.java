package dev.runline.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runline.Endpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A kernel endpoint's backendSettings: defaults, limits and faults naming the key. */
class KernelSettingsTest {
  private static final Map<String, Object> INDEX = Map.of("n", 100, "d", 8, "seed", 7);

  @Test
  void vectorSearchHasDefaultLimits() {
    KernelSettings settings = KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of("index", INDEX), List.of());

    assertThat(settings.kernel()).isEqualTo(Kernel.VECTOR_SEARCH);
    assertThat(settings.maxK()).isEqualTo(1000);
    assertThat(settings.maxQueries()).isEqualTo(1024);
    VectorIndex index = settings.loadIndex();
    assertThat(index.size()).isEqualTo(100);
    assertThat(index.dimension()).isEqualTo(8);
  }

  @Test
  void limitsAreSet() {
    KernelSettings search = KernelSettings.parse(Kernel.VECTOR_SEARCH,
        Map.of("index", INDEX, "maxK", 5, "maxQueries", 7), List.of());
    KernelSettings matmul = KernelSettings.parse(Kernel.MATMUL, Map.of("maxDim", 64), List.of());

    assertThat(search.maxK()).isEqualTo(5);
    assertThat(search.maxQueries()).isEqualTo(7);
    assertThat(matmul.maxDim()).isEqualTo(64);
    assertThat(KernelSettings.parse(Kernel.MATMUL, Map.of(), List.of()).maxDim()).isEqualTo(4096);
  }

  @Test
  void anUnknownKeyNamesItAndTheKeysAllowed() {
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of("index", INDEX, "topK", 3), List.of("device")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backendSettings.topK is not a setting of a vector-search endpoint on this backend; "
            + "the settings allowed are index, maxK, maxQueries, device");
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.MATMUL, Map.of("index", INDEX), List.of()))
        .hasMessage("backendSettings.index is not a setting of a matmul endpoint on this backend; "
            + "the settings allowed are maxDim");
  }

  @Test
  void aBackendsOwnKeysAreAllowedBesideTheKernels() {
    assertThat(KernelSettings.parse(Kernel.MATMUL, Map.of("device", 1), List.of("device")).maxDim()).isEqualTo(4096);
  }

  @Test
  void vectorSearchNeedsAnIndex() {
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of(), List.of()))
        .hasMessageStartingWith("backendSettings.index is missing; a vector-search endpoint needs {n: 100000, d: 64, seed: 42}");
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of("index", "big"), List.of()))
        .hasMessageStartingWith("backendSettings.index must be a mapping, was 'big'");
  }

  @Test
  void theIndexIsEitherGeneratedOrAFile() {
    assertThatThrownBy(() -> parseIndex(Map.of("n", 10)))
        .hasMessageStartingWith("backendSettings.index.d is missing");
    assertThatThrownBy(() -> parseIndex(Map.of("n", 10, "d", 0)))
        .hasMessage("backendSettings.index.d must be a whole number from 1 to 2147483639, was 0");
    assertThatThrownBy(() -> parseIndex(Map.of("n", 10, "d", 2, "seed", "x")))
        .hasMessage("backendSettings.index.seed must be a whole number (a 64-bit seed), was 'x'");
    assertThatThrownBy(() -> parseIndex(Map.of("npy", "a.npy", "n", 3)))
        .hasMessageStartingWith("backendSettings.index has npy and");
    assertThatThrownBy(() -> parseIndex(Map.of("npy", 5)))
        .hasMessage("backendSettings.index.npy must be the path of a .npy file, was 5");
    assertThatThrownBy(() -> parseIndex(Map.of("rows", 5)))
        .hasMessageStartingWith("backendSettings.index.rows is not a key of the index; the keys allowed are n, d, seed, npy");
    assertThatThrownBy(() -> parseIndex(Map.of("n", 100_000, "d", 100_000)))
        .hasMessageContaining("exceeds");
  }

  @Test
  void aMissingFileFailsWhenTheIndexIsLoaded() {
    KernelSettings settings = parseIndex(Map.of("npy", "/nonexistent/vectors.npy"));

    assertThatThrownBy(settings::loadIndex).hasMessageContaining("/nonexistent/vectors.npy");
  }

  @Test
  void limitsMustBePositiveWholeNumbers() {
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of("index", INDEX, "maxK", 0), List.of()))
        .hasMessage("backendSettings.maxK must be a whole number from 1 to 16777216, was 0");
    assertThatThrownBy(() -> KernelSettings.parse(Kernel.MATMUL, Map.of("maxDim", "large"), List.of()))
        .hasMessage("backendSettings.maxDim must be a whole number from 1 to 16777216, was 'large'");
  }

  @Test
  void ofAnEndpointNamesTheEndpoint() {
    Endpoint endpoint = Endpoint.builder("search").kernel("vector-search").backendSetting("index", Map.of("n", 2)).build();

    assertThatThrownBy(() -> KernelSettings.of(endpoint, List.of()))
        .hasMessageStartingWith("endpoint 'search' (vector-search on backend 'cpu'): backendSettings.index.d is missing");
    assertThatThrownBy(() -> KernelSettings.of(Endpoint.builder("e").handler(job -> null).build(), List.of()))
        .hasMessage("endpoint 'e' runs a handler, not a kernel");
  }

  private static KernelSettings parseIndex(Map<String, Object> index) {
    return KernelSettings.parse(Kernel.VECTOR_SEARCH, Map.of("index", index), List.of());
  }

  @Test
  void anUnknownKernelNamesTheEndpointAndTheKernels() {
    Endpoint endpoint = Endpoint.builder("e").kernel("fft").build();

    assertThatThrownBy(() -> KernelSettings.of(endpoint, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint 'e': kernel must be one of vector-search, matmul, was 'fft'");
  }

  @Test
  void kernelNamesIgnoreCase() {
    assertThat(KernelSettings.kernelOf(Endpoint.builder("m").kernel("MatMul").build())).isEqualTo(Kernel.MATMUL);
  }
}
