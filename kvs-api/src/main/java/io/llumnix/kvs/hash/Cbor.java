package io.llumnix.kvs.hash;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A canonical CBOR writer (RFC 8949: definite lengths, shortest heads) for the one shape both
 * vLLM's {@code sha256_cbor} block hash and the {@code sha256_cbor} KV-store keys hash: {@code
 * [parent bytes, [token ids], null]}, and the seed text string. Written by hand into one reused
 * buffer because the shape is fixed and tiny, and a CBOR library would allocate per value on a
 * path that runs for every chunk of every prompt. Not thread-safe.
 */
final class Cbor {

  private static final int UNSIGNED = 0;
  private static final int BYTES = 2;
  private static final int TEXT = 3;
  private static final int ARRAY = 4;
  private static final byte NULL = (byte) 0xf6;

  private byte[] buffer;
  private int length;

  Cbor(int initialCapacity) {
    buffer = new byte[Math.max(16, initialCapacity)];
  }

  /** The size of {@code [parent, [tokens], null]} at most, to size the buffer once. */
  static int blockCapacity(int parentLength, int tokens) {
    return 1 + 9 + parentLength + 9 + 5 * tokens + 1;
  }

  /** Replaces the content with {@code [parent, [tokens[from..to)], null]}. */
  Cbor block(byte[] parent, TokenSource tokens, int from, int to) {
    length = 0;
    ensure(blockCapacity(parent.length, to - from));
    head(ARRAY, 3);
    head(BYTES, parent.length);
    System.arraycopy(parent, 0, buffer, length, parent.length);
    length += parent.length;
    head(ARRAY, to - from);
    for (int i = from; i < to; i++) {
      // Token ids are uint32, as the scheduler's wire types them.
      head(UNSIGNED, Integer.toUnsignedLong(tokens.tokenAt(i)));
    }
    buffer[length++] = NULL;
    return this;
  }

  /** Replaces the content with the text string {@code text}. */
  Cbor text(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    length = 0;
    ensure(9 + utf8.length);
    head(TEXT, utf8.length);
    System.arraycopy(utf8, 0, buffer, length, utf8.length);
    length += utf8.length;
    return this;
  }

  /** The encoding is {@code buffer()[0..length())}; valid until the next write. */
  byte[] buffer() {
    return buffer;
  }

  int length() {
    return length;
  }

  private void head(int major, long value) {
    int type = major << 5;
    if (value < 24) {
      buffer[length++] = (byte) (type | value);
    } else if (value < 0x100) {
      buffer[length++] = (byte) (type | 24);
      buffer[length++] = (byte) value;
    } else if (value < 0x1_0000) {
      buffer[length++] = (byte) (type | 25);
      bigEndian(value, 2);
    } else if (value < 0x1_0000_0000L) {
      buffer[length++] = (byte) (type | 26);
      bigEndian(value, 4);
    } else {
      buffer[length++] = (byte) (type | 27);
      bigEndian(value, 8);
    }
  }

  private void bigEndian(long value, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
      buffer[length++] = (byte) (value >>> shift);
    }
  }

  private void ensure(int capacity) {
    if (buffer.length < capacity) {
      buffer = Arrays.copyOf(buffer, Math.max(capacity, 2 * buffer.length));
    }
  }
}
