package dev.runline.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runline.cuda.CudaUnavailableException.Reason;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    Path jarRoot = Files.createDirectories(temp.resolve("jar/META-INF/native/linux-x86_64"));
    Files.write(jarRoot.resolve("librunline_cuda.so"), elfHeaderForAnotherMachine());
    Path work = Files.createDirectories(temp.resolve("work"));

    try (URLClassLoader jar = new URLClassLoader(new URL[] {temp.resolve("jar").toUri().toURL()}, null)) {
      CudaUnavailableException cause = CudaNativeLibrary.load(jar,
          "META-INF/native/linux-x86_64/librunline_cuda.so", "Linux", "amd64", work);

      assertThat(cause.reason()).isEqualTo(Reason.LOAD_ERROR);
      assertThat(cause).hasMessageStartingWith("load error: ")
          .hasCauseInstanceOf(UnsatisfiedLinkError.class);
    }
  }

  @Test
  void libraryNamedByThePropertyThatFailsIsALoadErrorNamingTheProperty() throws IOException {
    Path library = temp.resolve("librunline_cuda.so");
    Files.write(library, elfHeaderForAnotherMachine());

    CudaUnavailableException cause = CudaNativeLibrary.loadFile(library);

    assertThat(cause.reason()).isEqualTo(Reason.LOAD_ERROR);
    assertThat(cause).hasMessageStartingWith("load error: ").hasMessageContaining("-Drunline.cuda.library");
  }

  /**
   * The headers of an AArch64 shared library with a non-executable stack (so that the JVM
   * does not warn about the stack guard before it fails): a library built for another
   * machine, which the loader must refuse.
   */
  private static byte[] elfHeaderForAnotherMachine() {
    ByteBuffer elf = ByteBuffer.allocate(64 + 56).order(ByteOrder.LITTLE_ENDIAN);
    elf.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
    elf.putShort((short) 3)            // ET_DYN
        .putShort((short) 183)         // EM_AARCH64
        .putInt(1)                     // EV_CURRENT
        .putLong(0)                    // entry
        .putLong(64)                   // program headers right after this header
        .putLong(0)                    // no section headers
        .putInt(0)
        .putShort((short) 64)          // header size
        .putShort((short) 56)          // program header size
        .putShort((short) 1)           // one program header
        .putShort((short) 64)
        .putShort((short) 0)
        .putShort((short) 0);
    elf.putInt(0x6474e551)             // PT_GNU_STACK
        .putInt(6)                     // read, write: not executable
        .putLong(0).putLong(0).putLong(0).putLong(0).putLong(0).putLong(16);
    return elf.array();
  }

  @Test
  void temporaryCopyIsRemovedOnceLoadingIsOver() throws IOException {
    Path jarRoot = Files.createDirectories(temp.resolve("jar/lib"));
    Files.write(jarRoot.resolve("librunline_cuda.so"), elfHeaderForAnotherMachine());
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
    Files.write(jarRoot.resolve("librunline_cuda.so"), elfHeaderForAnotherMachine());
    Path missing = temp.resolve("no-such-directory");

    try (URLClassLoader jar = new URLClassLoader(new URL[] {temp.resolve("jar").toUri().toURL()}, null)) {
      CudaUnavailableException cause = CudaNativeLibrary.load(jar, "lib/librunline_cuda.so", "Linux", "amd64", missing);

      assertThat(cause.reason()).isEqualTo(Reason.LOAD_ERROR);
      assertThat(cause.getMessage()).startsWith("load error: ").contains(missing.toString());
    }
  }
}
