package dev.runline.compute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The f32le form: base64 of little-endian float32, row-major, with its shape. */
class F32leTest {

  @Test
  void itIsLittleEndianFloat32() {
    Map<String, Object> encoded = F32le.encode(new float[] {1.0f, -2.0f});

    assertThat(encoded).containsEntry("shape", List.of(2));
    byte[] bytes = Base64.getDecoder().decode((String) encoded.get("f32le"));
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000, least significant byte first.
    assertThat(bytes).containsExactly(0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0);
  }

  @Test
  void everyFloatRoundTripsExactly() {
    SplittableRandom random = new SplittableRandom(3);
    float[] values = new float[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(random.nextInt());
    }
    Map<String, Object> encoded = F32le.encode(Matrix.of(10, 100, values));

    assertThat(encoded.get("shape")).isEqualTo(List.of(10, 100));
    float[] decoded = F32le.decode((String) encoded.get("f32le"), 1000, "x");
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.floatToRawIntBits(decoded[i])).isEqualTo(Float.floatToRawIntBits(values[i]));
    }
  }

  @Test
  void anEmptyArrayIsEmptyText() {
    assertThat(F32le.encode(new float[0]).get("f32le")).isEqualTo("");
    assertThat(F32le.decode("", 0, "x")).isEmpty();
  }
}
