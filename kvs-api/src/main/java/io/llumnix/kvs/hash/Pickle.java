package io.llumnix.kvs.hash;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte-exact output of CPython's C pickler ({@code pickle.dumps(x, protocol=5)}) for the two
 * values vLLM's default {@code sha256} block hash pickles: {@code (parent bytes, tuple(token ids),
 * None)} and the {@code PYTHONHASHSEED} string. The hash is over these bytes, so every opcode
 * choice CPython makes is copied: the smallest int opcode, {@code TUPLE1..3} up to three items and
 * {@code MARK .. TUPLE} above, no memo entry for an empty tuple, a {@code MEMOIZE} after each
 * bytes, str and non-empty tuple, and the framing of protocol 4+ (where CPython 3.11 cuts frames,
 * checked against its output). Written by hand into one reused buffer for the same reason as
 * {@link Cbor}. Not thread-safe.
 */
final class Pickle {

  private static final byte PROTO = (byte) 0x80;
  private static final byte FRAME = (byte) 0x95;
  private static final byte MEMOIZE = (byte) 0x94;
  private static final byte STOP = '.';
  private static final byte NONE = 'N';
  private static final byte MARK = '(';
  private static final byte TUPLE = 't';
  private static final byte EMPTY_TUPLE = ')';
  private static final byte[] SMALL_TUPLE = {0, (byte) 0x85, (byte) 0x86, (byte) 0x87};
  private static final byte BININT1 = 'K';
  private static final byte BININT2 = 'M';
  private static final byte BININT = 'J';
  private static final byte LONG1 = (byte) 0x8a;
  private static final byte SHORT_BINBYTES = 'C';
  private static final byte BINBYTES = 'B';
  private static final byte SHORT_BINUNICODE = (byte) 0x8c;
  private static final byte BINUNICODE = 'X';

  /** CPython's {@code FRAME_HEADER_SIZE}, {@code FRAME_SIZE_MIN} and {@code FRAME_SIZE_TARGET}. */
  private static final int FRAME_HEADER = 9;
  private static final int FRAME_MIN = 4;
  private static final int FRAME_TARGET = 64 * 1024;

  private byte[] buffer;
  private int length;
  /** Where the open frame's header goes, or -1 when none is open. */
  private int frameStart;
  /** False while a large bytes or str payload is written outside any frame. */
  private boolean framing;

  Pickle(int initialCapacity) {
    buffer = new byte[Math.max(64, initialCapacity)];
  }

  /** Replaces the content with the pickle of {@code (parent, tuple(tokens[from..to)), None)}. */
  Pickle block(byte[] parent, TokenSource tokens, int from, int to) {
    begin(Cbor.blockCapacity(parent.length, to - from) + 2 * FRAME_HEADER);
    boundary();
    saveBytes(parent);
    saveTokens(tokens, from, to);
    boundary();
    write(NONE);
    write(SMALL_TUPLE[3]);
    write(MEMOIZE);
    return end();
  }

  /** Replaces the content with the pickle of the str {@code text}. */
  Pickle text(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    begin(utf8.length + 16 + FRAME_HEADER);
    boundary();
    if (utf8.length <= 0xff) {
      writeRaw(SHORT_BINUNICODE, utf8, 1);
    } else {
      writeRaw(BINUNICODE, utf8, 4);
    }
    write(MEMOIZE);
    return end();
  }

  /** The pickle is {@code buffer()[0..length())}; valid until the next write. */
  byte[] buffer() {
    return buffer;
  }

  int length() {
    return length;
  }

  private void begin(int capacity) {
    if (buffer.length < capacity) {
      buffer = new byte[capacity];
    }
    length = 0;
    buffer[length++] = PROTO;
    buffer[length++] = 5;
    frameStart = -1;
    framing = true;
  }

  private Pickle end() {
    write(STOP);
    commitFrame();
    return this;
  }

  private void saveBytes(byte[] bytes) {
    if (bytes.length <= 0xff) {
      writeRaw(SHORT_BINBYTES, bytes, 1);
    } else {
      writeRaw(BINBYTES, bytes, 4);
    }
    write(MEMOIZE);
  }

  private void saveTokens(TokenSource tokens, int from, int to) {
    boundary();
    int count = to - from;
    if (count == 0) {
      write(EMPTY_TUPLE);
      return;
    }
    if (count > 3) {
      write(MARK);
    }
    for (int i = from; i < to; i++) {
      boundary();
      // Token ids are uint32, as the scheduler's wire types them.
      saveInt(Integer.toUnsignedLong(tokens.tokenAt(i)));
    }
    write(count > 3 ? TUPLE : SMALL_TUPLE[count]);
    write(MEMOIZE);
  }

  private void saveInt(long value) {
    if (value <= 0xff) {
      write(BININT1);
      write((byte) value);
    } else if (value <= 0xffff) {
      write(BININT2);
      littleEndian(value, 2);
    } else if (value <= Integer.MAX_VALUE) {
      write(BININT);
      littleEndian(value, 4);
    } else {
      // Python's encode_long: the fewest little-endian two's-complement bytes, here always 5.
      int bytes = ((64 - Long.numberOfLeadingZeros(value)) >> 3) + 1;
      write(LONG1);
      write((byte) bytes);
      littleEndian(value, bytes);
    }
  }

  /**
   * CPython closes a frame once it holds 64 KiB, checking before each object it saves (not
   * after), so a frame can run a few bytes past the target; only blocks of some 13,000 tokens
   * or more get there.
   */
  private void boundary() {
    if (frameStart >= 0 && length - frameStart - FRAME_HEADER >= FRAME_TARGET) {
      commitFrame();
    }
  }

  private void commitFrame() {
    if (frameStart < 0) {
      return;
    }
    int frameLength = length - frameStart - FRAME_HEADER;
    if (frameLength >= FRAME_MIN) {
      buffer[frameStart] = FRAME;
      for (int i = 0; i < 8; i++) {
        buffer[frameStart + 1 + i] = (byte) ((long) frameLength >>> (8 * i));
      }
    } else {
      // Too short to be worth a header: CPython takes the reserved header out again.
      System.arraycopy(buffer, frameStart + FRAME_HEADER, buffer, frameStart, frameLength);
      length -= FRAME_HEADER;
    }
    frameStart = -1;
  }

  /** An opcode, a little-endian length and a payload; a payload of 64 KiB or more is unframed. */
  private void writeRaw(byte opcode, byte[] payload, int lengthBytes) {
    boolean bypass = payload.length >= FRAME_TARGET;
    if (bypass) {
      commitFrame();
      framing = false;
    }
    write(opcode);
    littleEndian(payload.length, lengthBytes);
    ensure(payload.length);
    System.arraycopy(payload, 0, buffer, length, payload.length);
    length += payload.length;
    framing = true;
  }

  private void littleEndian(long value, int bytes) {
    ensure(bytes);
    for (int i = 0; i < bytes; i++) {
      buffer[length++] = (byte) (value >>> (8 * i));
    }
  }

  private void write(byte b) {
    ensure(1);
    buffer[length++] = b;
  }

  /** Room for {@code more} bytes, opening a frame first if one is due (as CPython's write). */
  private void ensure(int more) {
    int needed = more;
    if (framing && frameStart < 0) {
      needed += FRAME_HEADER;
    }
    if (length + needed > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(length + needed, 2 * buffer.length));
    }
    if (framing && frameStart < 0) {
      frameStart = length;
      length += FRAME_HEADER;
    }
  }
}
