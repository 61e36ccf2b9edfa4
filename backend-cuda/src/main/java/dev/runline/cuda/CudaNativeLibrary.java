package dev.runline.cuda;

import dev.runline.cuda.CudaUnavailableException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds the native library in the jar and loads it, the way Netty loads its native
 * transports: the {@code .so} travels inside the jar under {@code META-INF/native/}, so a
 * Maven dependency is all an application adds, and it is copied to a temporary file because
 * the JVM can only load a library from the file system.
 *
 * <p>Every input is a parameter so that tests can take each failure path on any machine.
 */
final class CudaNativeLibrary {
  /** Where the build puts the library, as a class path resource. */
  static final String RESOURCE = "META-INF/native/linux-x86_64/librunline_cuda.so";

  private CudaNativeLibrary() {}

  /**
   * Loads the library at {@code resource} through {@code loader}. Returns {@code null} when
   * it loaded, or why it did not. The JVM binds the library to the class loader of this
   * class, so the native methods of {@link CudaNative} (same loader) resolve against it.
   */
  static CudaUnavailableException load(ClassLoader loader, String resource, String osName,
      String osArch, Path tempDir) {
    if (!isLinuxX64(osName, osArch)) {
      return new CudaUnavailableException(Reason.UNSUPPORTED_PLATFORM,
          "unsupported platform: " + osName + "/" + osArch
              + " (the CUDA backend ships a library for linux/x86_64 only)", null);
    }
    if (loader.getResource(resource) == null) {
      return new CudaUnavailableException(Reason.NOT_BUILT,
          "not built: the jar has no native library (nvcc was not found at build time); "
              + "rebuild runline-backend-cuda on a machine with the CUDA toolkit", null);
    }
    Path copy = null;
    try (InputStream in = loader.getResourceAsStream(resource)) {
      copy = Files.createTempFile(tempDir, "librunline_cuda", ".so");
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      System.load(copy.toAbsolutePath().toString());
      return null;
    } catch (UnsatisfiedLinkError e) {
      return new CudaUnavailableException(Reason.LOAD_ERROR, "load error: " + e.getMessage()
          + " (library copied from " + resource + " to " + copy + ")", e);
    } catch (IOException | RuntimeException e) {
      return new CudaUnavailableException(Reason.LOAD_ERROR, "load error: could not copy "
          + resource + " to a temporary file in " + tempDir + ": " + e, e);
    } finally {
      // Linux keeps a loaded library mapped after its file is gone, so the copy is removed
      // at once rather than on exit: a JVM that crashes or is killed leaves nothing behind.
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (IOException e) {
          copy.toFile().deleteOnExit();
        }
      }
    }
  }

  /**
   * Loads the library file at {@code path} instead of the jar's (the
   * {@value CudaNative#LIBRARY_PROPERTY} system property): for a library built for another
   * GPU architecture or CUDA version than the jar's. Returns {@code null} when it loaded, or
   * why it did not.
   */
  static CudaUnavailableException loadFile(Path path) {
    try {
      System.load(path.toAbsolutePath().toString());
      return null;
    } catch (UnsatisfiedLinkError e) {
      return new CudaUnavailableException(Reason.LOAD_ERROR, "load error: " + e.getMessage()
          + " (library named by -D" + CudaNative.LIBRARY_PROPERTY + ")", e);
    }
  }

  static boolean isLinuxX64(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }
}
