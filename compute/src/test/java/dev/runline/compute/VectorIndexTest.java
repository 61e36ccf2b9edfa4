package dev.runline.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index: generated from a seed, or read from a .npy file; rows of unit length. */
class VectorIndexTest {
  @TempDir
  Path dir;

  @Test
  void aGeneratedIndexIsTheSameForTheSameSeed() {
    VectorIndex one = VectorIndex.generate(50, 16, 42);
    VectorIndex two = VectorIndex.generate(50, 16, 42);
    VectorIndex other = VectorIndex.generate(50, 16, 43);

    assertThat(one.vectors().data()).containsExactly(two.vectors().data());
    assertThat(one.vectors().data()).isNotEqualTo(other.vectors().data());
    assertThat(one.size()).isEqualTo(50);
    assertThat(one.dimension()).isEqualTo(16);
  }

  @Test
  void aGeneratedRowDoesNotDependOnHowManyRowsThereAre() {
    VectorIndex small = VectorIndex.generate(3, 8, 9);
    VectorIndex large = VectorIndex.generate(300, 8, 9);

    for (int r = 0; r < 3; r++) {
      assertThat(large.vectors().row(r)).containsExactly(small.vectors().row(r));
    }
  }

  @Test
  void everyRowHasUnitLength() {
    Matrix vectors = VectorIndex.generate(200, 5, 1).vectors();
    for (int r = 0; r < vectors.rows(); r++) {
      double sum = 0;
      for (float v : vectors.row(r)) {
        sum += v * v;
      }
      assertThat(sum).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void givenVectorsAreCopiedAndNormalizedAndARowOfZerosStaysZeros() {
    float[] data = {3, 4, 0, 0};
    VectorIndex index = VectorIndex.of(Matrix.of(2, 2, data));

    assertThat(index.vectors().data()).containsExactly(0.6f, 0.8f, 0f, 0f);
    assertThat(data).containsExactly(3, 4, 0, 0);
  }

  @Test
  void aNonFiniteValueIsRefused() {
    assertThatThrownBy(() -> VectorIndex.of(Matrix.of(2, 2, new float[] {1, 2, Float.NaN, 0})))
        .hasMessageContaining("NaN at row 1, column 0");
  }

  @Test
  void aNumpyFileOfFloat32IsRead() throws IOException {
    Path file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 1, new float[] {3, 4, 0, 2, -1, 0});

    VectorIndex index = VectorIndex.load(file);

    assertThat(index.size()).isEqualTo(3);
    assertThat(index.dimension()).isEqualTo(2);
    assertThat(index.vectors().data()).containsExactly(0.6f, 0.8f, 0f, 1f, -1f, 0f);
    assertThat(index.source()).contains(file.toString());
  }

  @Test
  void formatVersionTwoIsRead() throws IOException {
    Path file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", 2, new float[] {0, 0, 5});

    assertThat(VectorIndex.load(file).vectors().data()).containsExactly(0, 0, 1);
  }

  @Test
  void anotherDtypeIsRefusedSayingHowToConvert() throws IOException {
    Path file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", 1, new float[] {0, 0});

    assertThatThrownBy(() -> VectorIndex.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds dtype '<f8'")
        .hasMessageContaining("astype('<f4')");
  }

  @Test
  void fortranOrderIsRefused() throws IOException {
    Path file = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 1, new float[4]);

    assertThatThrownBy(() -> VectorIndex.load(file)).hasMessageContaining("Fortran");
  }

  @Test
  void anArrayThatIsNotTwoDimensionalIsRefused() throws IOException {
    Path flat = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 1, new float[4]);
    Path cube = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", 1, new float[4]);

    assertThatThrownBy(() -> VectorIndex.load(flat)).hasMessageContaining("an array of 1 dimensions; the index needs 2");
    assertThatThrownBy(() -> VectorIndex.load(cube)).hasMessageContaining("an array of 3 dimensions; the index needs 2");
  }

  @Test
  void aTruncatedFileIsRefused() throws IOException {
    Path file = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 2), }", 1, new float[4]);

    assertThatThrownBy(() -> VectorIndex.load(file)).hasMessageContaining("truncated");
  }

  @Test
  void aFileThatIsNotNumpyIsRefused() throws IOException {
    Path file = dir.resolve("text.npy");
    Files.writeString(file, "hello, this is not numpy");

    assertThatThrownBy(() -> VectorIndex.load(file)).hasMessageContaining("is not a .npy file");
    assertThatThrownBy(() -> VectorIndex.load(dir.resolve("missing.npy"))).isInstanceOf(UncheckedIOException.class);
  }

  /** Writes a .npy file the way numpy.save does: magic, version, header padded to 64 bytes, data. */
  private Path npy(String dict, int version, float[] values) throws IOException {
    int prefix = version == 1 ? 10 : 12;
    StringBuilder header = new StringBuilder(dict);
    while ((prefix + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer out = ByteBuffer.allocate(prefix + header.length() + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    if (version == 1) {
      out.putShort((short) header.length());
    } else {
      out.putInt(header.length());
    }
    out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
    for (float v : values) {
      out.putFloat(v);
    }
    Path file = Files.createTempFile(dir, "index", ".npy");
    Files.write(file, out.array());
    return file;
  }
}
