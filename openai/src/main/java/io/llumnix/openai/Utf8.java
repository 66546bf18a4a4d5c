package io.llumnix.openai;

import io.vertx.core.buffer.Buffer;

/**
 * Strict UTF-8 validation (RFC 3629) in place, without decoding: overlong forms, surrogates,
 * code points above U+10FFFF and cut sequences are invalid.
 */
final class Utf8 {

  private Utf8() {}

  static boolean valid(Buffer bytes) {
    int length = bytes.length();
    int i = 0;
    while (i < length) {
      int b = bytes.getByte(i) & 0xFF;
      if (b < 0x80) {
        i++;
        continue;
      }
      int extra;
      int min;
      if (b >= 0xC2 && b <= 0xDF) {
        extra = 1;
        min = 0x80;
      } else if (b >= 0xE0 && b <= 0xEF) {
        extra = 2;
        min = 0x800;
      } else if (b >= 0xF0 && b <= 0xF4) {
        extra = 3;
        min = 0x10000;
      } else {
        return false; // a continuation byte first, an overlong lead (C0, C1), or beyond F4
      }
      int code = b & (0x3F >> extra);
      for (int k = 1; k <= extra; k++) {
        if (i + k >= length) {
          return false;
        }
        int next = bytes.getByte(i + k) & 0xFF;
        if ((next & 0xC0) != 0x80) {
          return false;
        }
        code = (code << 6) | (next & 0x3F);
      }
      if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return false;
      }
      i += extra + 1;
    }
    return true;
  }
}
