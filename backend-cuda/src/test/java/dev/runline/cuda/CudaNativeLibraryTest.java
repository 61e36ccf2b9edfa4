package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.cuda.CudaUnavailableException.Reason;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's failure paths, each taken on purpose, so they run on every machine. */
class CudaNativeLibraryTest {
  @TempDir
  Path temp;

  @Test
  void jarWithoutTheLibraryIsNotBuilt() {
    CudaUnavailableException cause = CudaNativeLibrary.load(getClass().getClassLoader(),
        "META-INF/native/absent/librunline_cuda.so", "Linux", "amd64", temp);

    assertThat(cause.reason()).isEqualTo(Reason.NOT_BUILT);
    assertThat(cause).hasMessageStartingWith(
        "not built: the jar has no native library (nvcc was not found at build time)");
  }

  @Test
  void otherPlatformsAreUnsupported() {
    CudaUnavailableException cause = CudaNativeLibrary.load(getClass().getClassLoader(),
        CudaNativeLibrary.RESOURCE, "Mac OS X", "aarch64", temp);

    assertThat(cause.reason()).isEqualTo(Reason.UNSUPPORTED_PLATFORM);
    assertThat(cause).hasMessageStartingWith("unsupported platform: Mac OS X/aarch64");
  }

  @Test
  void linuxOnArmIsUnsupportedToo() {
    assertThat(CudaNativeLibrary.isLinuxX64("Linux", "aarch64")).isFalse();
    assertThat(CudaNativeLibrary.isLinuxX64("Linux", "x86_64")).isTrue();
    assertThat(CudaNativeLibrary.isLinuxX64("linux", "amd64")).isTrue();
  }

  @Test
  void libraryThatCannotBeLoadedIsALoadError() throws IOException {
    Path jarRoot = Files.createDirectories(temp.resolve("jar/META-INF/native/broken"));
    Files.writeString(jarRoot.resolve("librunline_cuda.so"), "not a shared library");
    Path work = Files.createDirectories(temp.resolve("work"));

    try (URLClassLoader jar = new URLClassLoader(new URL[] {temp.resolve("jar").toUri().toURL()}, null)) {
      CudaUnavailableException cause = CudaNativeLibrary.load(jar,
          "META-INF/native/broken/librunline_cuda.so", "Linux", "amd64", work);

      assertThat(cause.reason()).isEqualTo(Reason.LOAD_ERROR);
      assertThat(cause).hasMessageStartingWith("load error: ")
          .hasCauseInstanceOf(UnsatisfiedLinkError.class);
    }
  }

  @Test
  void temporaryCopyIsRemovedOnceLoadingIsOver() throws IOException {
    Path jarRoot = Files.createDirectories(temp.resolve("jar/lib"));
    Files.writeString(jarRoot.resolve("librunline_cuda.so"), "not a shared library");
    Path work = Files.createDirectories(temp.resolve("work"));

    try (URLClassLoader jar = new URLClassLoader(new URL[] {temp.resolve("jar").toUri().toURL()}, null)) {
      CudaNativeLibrary.load(jar, "lib/librunline_cuda.so", "Linux", "amd64", work);
    }

    try (var left = Files.list(work)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void unwritableTemporaryDirectoryIsALoadErrorNamingIt() throws IOException {
    Path jarRoot = Files.createDirectories(temp.resolve("jar/lib"));
    Files.writeString(jarRoot.resolve("librunline_cuda.so"), "not a shared library");
    Path missing = temp.resolve("no-such-directory");

    try (URLClassLoader jar = new URLClassLoader(new URL[] {temp.resolve("jar").toUri().toURL()}, null)) {
      CudaUnavailableException cause = CudaNativeLibrary.load(jar, "lib/librunline_cuda.so", "Linux", "amd64", missing);

      assertThat(cause.reason()).isEqualTo(Reason.LOAD_ERROR);
      assertThat(cause.getMessage()).startsWith("load error: ").contains(missing.toString());
    }
  }
}
