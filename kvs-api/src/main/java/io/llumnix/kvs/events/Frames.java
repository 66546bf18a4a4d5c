package io.llumnix.kvs.events;

import java.util.Arrays;

/** The non-payload frames of vLLM's KV-event messages and replays. */
final class Frames {

  /** The delimiter a ROUTER and a DEALER (or REQ) put between the routing and the message. */
  static final byte[] EMPTY = new byte[0];

  private static final byte[] END_OF_REPLAY = seq(-1);

  private Frames() {}

  /** A sequence number's frame: 8 bytes, big-endian. */
  static byte[] seq(long seq) {
    byte[] frame = new byte[Long.BYTES];
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      frame[i] = (byte) seq;
      seq >>>= 8;
    }
    return frame;
  }

  /**
   * The number in a sequence frame, read as vLLM's {@code int.from_bytes(frame, "big")} reads
   * it; -1 when it is longer than 8 bytes or past {@link Long#MAX_VALUE}, which no publisher
   * reaches (and which is where the end-of-replay marker lives).
   */
  static long seqOf(byte[] frame) {
    if (frame.length > Long.BYTES) {
      return -1;
    }
    long seq = 0;
    for (byte b : frame) {
      seq = (seq << 8) | (b & 0xFF);
    }
    return frame.length == Long.BYTES && seq < 0 ? -1 : seq;
  }

  /**
   * Whether {@code seq} and {@code payload} are the marker that ends a replay: vLLM sends
   * {@code (-1).to_bytes(8, "big", signed=True)}, i.e. 0xFF times 8, and an empty payload.
   */
  static boolean isEndOfReplay(byte[] seq, byte[] payload) {
    return payload.length == 0 && Arrays.equals(seq, END_OF_REPLAY);
  }

  /** The end-of-replay marker's sequence frame. */
  static byte[] endOfReplay() {
    return END_OF_REPLAY.clone();
  }
}
