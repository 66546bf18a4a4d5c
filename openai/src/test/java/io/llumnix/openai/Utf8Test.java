package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

  static boolean valid(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return Utf8.valid(Buffer.buffer(b));
  }

  @Test
  void acceptsWhatJavaEncodes() {
    String text = "plain, é, 中文, 🙂, \u0000, \uFFFD, \uD7FF, \uE000, \u07FF, \u0800";
    assertThat(Utf8.valid(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(valid()).isTrue();
    assertThat(valid(0xF4, 0x8F, 0xBF, 0xBF)).isTrue(); // U+10FFFF
  }

  @Test
  void refusesOverlongSurrogatesOutOfRangeAndCutSequences() {
    assertThat(valid(0xC0, 0xAF)).isFalse(); // overlong '/'
    assertThat(valid(0xE0, 0x80, 0xAF)).isFalse(); // overlong, 3 bytes
    assertThat(valid(0xF0, 0x80, 0x80, 0xAF)).isFalse(); // overlong, 4 bytes
    assertThat(valid(0xED, 0xA0, 0x80)).isFalse(); // U+D800
    assertThat(valid(0xF4, 0x90, 0x80, 0x80)).isFalse(); // U+110000
    assertThat(valid(0xF5, 0x80, 0x80, 0x80)).isFalse();
    assertThat(valid(0x80)).isFalse(); // a continuation first
    assertThat(valid(0xC3)).isFalse(); // cut
    assertThat(valid(0xE4, 0xB8)).isFalse(); // cut
    assertThat(valid(0xC3, 0x28)).isFalse(); // not a continuation
  }
}
