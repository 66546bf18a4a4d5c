package io.llumnix.openai;

import io.vertx.core.buffer.Buffer;

/**
 * Server-sent events as OpenAI's streaming endpoints frame them: each event is
 * {@code data: <json>\n\n}, the stream ends with {@code data: [DONE]\n\n}.
 */
public final class Sse {

  /** The stream's last event. */
  public static final String DONE_DATA = "[DONE]";

  /** Content type of a stream. */
  public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

  private static final byte[] DONE_BYTES = ("data: " + DONE_DATA + "\n\n").getBytes();

  private Sse() {}

  /** The {@code [DONE]} event, a new buffer each call (Vert.x may hold on to a written one). */
  public static Buffer done() {
    return Buffer.buffer(DONE_BYTES);
  }

  /** One event carrying {@code json}. */
  public static Buffer event(CharSequence json) {
    return Buffer.buffer(new StringBuilder(json.length() + 8).append("data: ").append(json)
        .append("\n\n").toString());
  }
}
