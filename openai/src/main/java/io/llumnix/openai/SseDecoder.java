package io.llumnix.openai;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event stream, fed as it arrives in arbitrary pieces, into the
 * {@code data} of each event. Events end at a blank line ({@code \n\n}, or {@code \r\n\r\n});
 * several {@code data:} lines of one event are joined with {@code \n}, as the SSE standard
 * says; comments and other fields are skipped. Not thread-safe: one decoder per stream.
 */
public final class SseDecoder {

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte LF = '\n';

  private final Consumer<String> onData;
  private byte[] pending = new byte[0];
  private int pendingLength;

  /** A decoder handing each event's data to {@code onData}. */
  public SseDecoder(Consumer<String> onData) {
    this.onData = onData;
  }

  /**
   * Takes the next piece of the stream. Read in place: the usual piece is one or more whole
   * events, each one {@code data:} line, and its data becomes a string straight from the
   * piece's bytes; only an event cut between pieces is copied, to wait for its rest.
   */
  public void feed(Buffer piece) {
    ByteBuf bytes = ((BufferInternal) piece).getByteBuf();
    int from = bytes.readerIndex();
    int to = bytes.writerIndex();
    if (pendingLength == 0) {
      int end = emit(bytes, from, to);
      if (end < to) {
        append(bytes, end, to);
      }
      return;
    }
    append(bytes, from, to);
    ByteBuf held = Unpooled.wrappedBuffer(pending, 0, pendingLength);
    int end = emit(held, 0, pendingLength);
    System.arraycopy(pending, end, pending, 0, pendingLength - end);
    pendingLength -= end;
  }

  /** Whether part of an event is waiting for the rest of it. */
  public boolean hasPartialEvent() {
    return pendingLength > 0;
  }

  /** Emits every complete event of {@code bytes[from, to)}; returns where the rest starts. */
  private int emit(ByteBuf bytes, int from, int to) {
    int start = from;
    for (int i = bytes.indexOf(from, to, LF); i >= 0 && i + 1 < to;
        i = bytes.indexOf(i + 1, to, LF)) {
      byte after = bytes.getByte(i + 1);
      int next = after == '\n' ? i + 2
          : after == '\r' && i + 2 < to && bytes.getByte(i + 2) == '\n' ? i + 3 : -1;
      if (next < 0) {
        continue;
      }
      if (!singleDataLine(bytes, start, i)) {
        event(bytes.toString(start, i - start, StandardCharsets.UTF_8));
      }
      start = next;
      i = next - 1;
    }
    return start;
  }

  /**
   * Emits the event {@code bytes[start, end)} when it is one {@code data: } line without a
   * carriage return (what OpenAI-compatible servers send); false for any other shape.
   */
  private boolean singleDataLine(ByteBuf bytes, int start, int end) {
    if (end - start < DATA.length) {
      return false;
    }
    for (int k = 0; k < DATA.length; k++) {
      if (bytes.getByte(start + k) != DATA[k]) {
        return false;
      }
    }
    if (bytes.indexOf(start, end, LF) >= 0 || bytes.getByte(end - 1) == '\r') {
      return false;
    }
    onData.accept(bytes.toString(start + DATA.length, end - start - DATA.length,
        StandardCharsets.UTF_8));
    return true;
  }

  private void event(String text) {
    List<String> data = null;
    String only = null;
    int lineStart = 0;
    while (lineStart <= text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length();
      }
      String line = text.substring(lineStart, lineEnd);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.startsWith("data:")) {
        String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
        if (only == null && data == null) {
          only = value;
        } else {
          if (data == null) {
            data = new ArrayList<>();
            data.add(only);
          }
          data.add(value);
        }
      }
      lineStart = lineEnd + 1;
    }
    if (data != null) {
      onData.accept(String.join("\n", data));
    } else if (only != null) {
      onData.accept(only);
    }
  }

  private void append(ByteBuf bytes, int from, int to) {
    int length = to - from;
    if (pending.length < pendingLength + length) {
      pending = Arrays.copyOf(pending, Math.max(pendingLength + length, pending.length * 2));
    }
    bytes.getBytes(from, pending, pendingLength, length);
    pendingLength += length;
  }
}
