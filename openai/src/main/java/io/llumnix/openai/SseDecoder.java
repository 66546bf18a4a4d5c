package io.llumnix.openai;

import io.vertx.core.buffer.Buffer;
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

  private final Consumer<String> onData;
  private byte[] pending = new byte[0];
  private int pendingLength;

  /** A decoder handing each event's data to {@code onData}. */
  public SseDecoder(Consumer<String> onData) {
    this.onData = onData;
  }

  /** Takes the next piece of the stream. */
  public void feed(Buffer piece) {
    byte[] bytes = piece.getBytes();
    if (pendingLength == 0) {
      int end = emit(bytes, 0, bytes.length);
      if (end < bytes.length) {
        append(bytes, end);
      }
      return;
    }
    append(bytes, 0);
    int end = emit(pending, 0, pendingLength);
    System.arraycopy(pending, end, pending, 0, pendingLength - end);
    pendingLength -= end;
  }

  /** Whether part of an event is waiting for the rest of it. */
  public boolean hasPartialEvent() {
    return pendingLength > 0;
  }

  /** Emits every complete event of {@code bytes[from, to)}; returns where the rest starts. */
  private int emit(byte[] bytes, int from, int to) {
    int start = from;
    for (int i = from; i + 1 < to; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      int next = bytes[i + 1] == '\n' ? i + 2
          : bytes[i + 1] == '\r' && i + 2 < to && bytes[i + 2] == '\n' ? i + 3 : -1;
      if (next < 0) {
        continue;
      }
      event(new String(bytes, start, i - start, StandardCharsets.UTF_8));
      start = next;
      i = next - 1;
    }
    return start;
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

  private void append(byte[] bytes, int from) {
    int length = bytes.length - from;
    if (pending.length < pendingLength + length) {
      pending = Arrays.copyOf(pending, Math.max(pendingLength + length, pending.length * 2));
    }
    System.arraycopy(bytes, from, pending, pendingLength, length);
    pendingLength += length;
  }
}
