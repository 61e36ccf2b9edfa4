package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runline.cuda.CudaUnavailableException.Reason;
import org.junit.jupiter.api.Test;

/**
 * What this process's own library reports. Each test states the machine it is about and
 * skips elsewhere: a build without nvcc, a build with nvcc but no GPU (a CI machine), a
 * GPU host.
 */
class CudaAvailabilityTest {
  private static boolean libraryInJar() {
    return CudaNative.class.getClassLoader().getResource(CudaNativeLibrary.RESOURCE) != null;
  }

  @Test
  void causeIsAbsentExactlyWhenAvailable() {
    assertThat(CudaNative.unavailabilityCause() == null).isEqualTo(CudaNative.isAvailable());
  }

  @Test
  void buildWithoutNvccSaysNotBuilt() {
    assumeFalse(libraryInJar(), "the native library was built (nvcc was found)");

    assertThat(CudaNative.isAvailable()).isFalse();
    assertThat(((CudaUnavailableException) CudaNative.unavailabilityCause()).reason()).isEqualTo(Reason.NOT_BUILT);
  }

  @Test
  void builtLibraryLoadsWhereverTheDriverIsMissing() {
    assumeTrue(libraryInJar(), "the native library was not built (no nvcc at build time)");

    // The CUDA runtime is linked statically and opens the driver only when asked, so the
    // library loads even on a machine without one.
    assertThat(CudaNative.isLibraryLoaded())
        .as("library loaded; cause: %s", CudaNative.unavailabilityCause())
        .isTrue();
  }

  @Test
  void withoutAGpuTheCauseNamesTheMissingDriverOrDevice() {
    assumeTrue(libraryInJar(), "the native library was not built (no nvcc at build time)");
    assumeFalse(CudaNative.isAvailable(), "a usable CUDA GPU is present");

    CudaUnavailableException cause = (CudaUnavailableException) CudaNative.unavailabilityCause();
    assertThat(cause.reason()).isEqualTo(Reason.NO_DEVICE);
    assertThat(cause.getMessage()).startsWith("no CUDA device: ").containsAnyOf("driver", "device");
  }

  @Test
  void workerCannotOpenWhereTheBackendIsUnavailable() {
    assumeFalse(CudaNative.isAvailable(), "a usable CUDA GPU is present");

    assertThatThrownBy(() -> CudaWorker.open(0))
        .isInstanceOf(CudaUnavailableException.class)
        .hasMessage(CudaNative.unavailabilityCause().getMessage())
        .hasCause(CudaNative.unavailabilityCause());
    assertThat(CudaNative.deviceCount()).isZero();
  }

  /**
   * Calls every native method once with arguments it must refuse before touching CUDA: a
   * misspelt JNI name would fail here with UnsatisfiedLinkError, on any machine where the
   * library loads, GPU or not.
   */
  @Test
  void everyNativeMethodIsLinkedAndChecksItsArguments() {
    assumeTrue(CudaNative.isLibraryLoaded(), () -> "the native library is not loaded: " + CudaNative.unavailabilityCause());

    assertThat(CudaNative.maxK()).isEqualTo(CudaNative.MAX_K);
    assertThat(CudaNative.countDevices()).isGreaterThanOrEqualTo(0);
    CudaNative.closeWorker(0);
    CudaNative.freeIndex(0);
    assertThatThrownBy(() -> CudaNative.describeDevice(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device must be >= 0");
    assertThatThrownBy(() -> CudaNative.openWorker(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device must be >= 0");
    assertThatThrownBy(() -> CudaNative.allocateIndex(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no worker");
    assertThatThrownBy(() -> CudaNative.writeIndexRows(0, 0, 0, new float[1], 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no worker");
    assertThatThrownBy(() -> CudaNative.search(0, 0, new float[1], 1, 1, 1, new int[1], new float[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no worker");
    assertThatThrownBy(() -> CudaNative.matmul(0, new float[1], 1, 1, new float[1], 1, new float[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no worker");
  }
}
