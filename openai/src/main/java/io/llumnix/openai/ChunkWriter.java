package io.llumnix.openai;

import io.llumnix.core.json.JsonText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes the chunks of one streamed chat or completion answer in vLLM's shape: the gateway
 * relaying an engine and the engine simulator both write through it. Text arrives as a JSON
 * string literal, so a relay splices what the engine escaped.
 *
 * <pre>{@code
 * ChunkWriter chunks = ChunkWriter.chat("chatcmpl-1", created, "m");
 * response.write(chunks.role(0, null));
 * response.write(chunks.token(0, "\"Hi\"", null, "null", null));
 * }</pre>
 */
public final class ChunkWriter {

  private static final byte[] INDEX = ascii("{\"index\":");
  private static final byte[] ROLE = ascii(",\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
      + "\"logprobs\":null,\"finish_reason\":null}]");
  private static final byte[] CONTENT = ascii(",\"delta\":{\"content\":");
  private static final byte[] TEXT = ascii(",\"text\":");
  private static final byte[] FINISH = ascii(",\"logprobs\":null,\"finish_reason\":");
  private static final byte[] NULL = ascii("null");
  private static final byte[] STOP = ascii(",\"stop_reason\":");
  private static final byte[] CHOICES_END = ascii("}]");
  private static final byte[] USAGE = ascii(",\"usage\":");
  private static final byte[] USAGE_NULL = ascii(",\"usage\":null");
  private static final byte[] EVENT_END = ascii("}\n\n");
  private static final byte[] NO_CHOICES = ascii("],\"usage\":");

  private final boolean chat;
  /** {@code data: {"id":…,"object":…,"created":…,"model":…,"choices":[}, in UTF-8. */
  private final byte[] head;

  private ChunkWriter(boolean chat, String id, long created, String model) {
    this.chat = chat;
    StringBuilder h = new StringBuilder(96).append("data: {\"id\":");
    JsonText.quote(h, id);
    h.append(chat ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"text_completion\"")
        .append(",\"created\":").append(created).append(",\"model\":");
    JsonText.quote(h, model).append(",\"choices\":[");
    this.head = h.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Chunks of a chat answer ({@code chat.completion.chunk}). */
  public static ChunkWriter chat(String id, long created, String model) {
    return new ChunkWriter(true, id, created, model);
  }

  /** Chunks of a completion answer ({@code text_completion}). */
  public static ChunkWriter completion(String id, long created, String model) {
    return new ChunkWriter(false, id, created, model);
  }

  /** Chunks of either shape. */
  public static ChunkWriter of(boolean chat, String id, long created, String model) {
    return new ChunkWriter(chat, id, created, model);
  }

  /** A chat's first chunk: the assistant's role, empty content. */
  public Buffer role(int index, @Nullable CharSequence usageLiteral) {
    ByteBuf out = start(64 + ROLE.length, usageLiteral);
    out.writeBytes(INDEX);
    writeInt(out, index);
    out.writeBytes(ROLE);
    return end(out, usageLiteral);
  }

  /**
   * A chunk with one choice's next text; with its finish reason when it is the last.
   *
   * @param textLiteral the text as a JSON string literal
   * @param stopReasonLiteral the stop reason as JSON ({@code null} while running)
   * @param usageLiteral usage to carry in this chunk (continuous usage), or null
   */
  public Buffer token(int index, CharSequence textLiteral, @Nullable String finishReason,
      CharSequence stopReasonLiteral, @Nullable CharSequence usageLiteral) {
    return write(index, textLiteral, finishReason, stopReasonLiteral, usageLiteral);
  }

  /** {@link #token} with the text as it is, escaped straight into the chunk. */
  public Buffer tokenText(int index, String text, @Nullable String finishReason,
      CharSequence stopReasonLiteral, @Nullable CharSequence usageLiteral) {
    return write(index, JsonText.quote(new StringBuilder(text.length() + 8), text),
        finishReason, stopReasonLiteral, usageLiteral);
  }

  /*
   * Per token: one buffer, sized for the worst case, written in place. A chunk's text is
   * written as UTF-8 straight from its characters, and the rest is fixed bytes, so nothing is
   * built twice (as a string, then as bytes).
   */
  private Buffer write(int index, CharSequence literal, @Nullable String finishReason,
      CharSequence stopReasonLiteral, @Nullable CharSequence usageLiteral) {
    ByteBuf out = start(3 * literal.length() + 3 * stopReasonLiteral.length()
        + (finishReason == null ? 0 : 3 * finishReason.length()) + 128, usageLiteral);
    out.writeBytes(INDEX);
    writeInt(out, index);
    out.writeBytes(chat ? CONTENT : TEXT);
    out.writeCharSequence(literal, StandardCharsets.UTF_8);
    if (chat) {
      out.writeByte('}');
    }
    out.writeBytes(FINISH);
    if (finishReason == null) {
      out.writeBytes(NULL);
    } else {
      // "stop" or "length" in practice; quoted properly whatever an engine said.
      out.writeCharSequence(JsonText.quote(finishReason), StandardCharsets.UTF_8);
    }
    if (finishReason != null || !chat) {
      out.writeBytes(STOP);
      out.writeCharSequence(stopReasonLiteral, StandardCharsets.UTF_8);
    }
    out.writeBytes(CHOICES_END);
    return end(out, usageLiteral);
  }

  /** The usage chunk that ends a stream whose client asked for usage. */
  public Buffer usage(CharSequence usageLiteral) {
    ByteBuf out = start(16, usageLiteral);
    out.writeBytes(NO_CHOICES);
    out.writeCharSequence(usageLiteral, StandardCharsets.UTF_8);
    out.writeBytes(EVENT_END);
    return BufferInternal.buffer(out);
  }

  /** A buffer holding the head, with room for {@code body} more bytes and the usage. */
  private ByteBuf start(int body, @Nullable CharSequence usageLiteral) {
    int room = head.length + body + 32 + (usageLiteral == null ? 0 : 3 * usageLiteral.length());
    return Unpooled.buffer(room).writeBytes(head);
  }

  private Buffer end(ByteBuf out, @Nullable CharSequence usageLiteral) {
    if (usageLiteral != null) {
      out.writeBytes(USAGE);
      out.writeCharSequence(usageLiteral, StandardCharsets.UTF_8);
    } else if (!chat) {
      out.writeBytes(USAGE_NULL);
    }
    out.writeBytes(EVENT_END);
    return BufferInternal.buffer(out);
  }

  private static void writeInt(ByteBuf out, int value) {
    if (value >= 0 && value < 10) {
      out.writeByte('0' + value); // every choice index of n < 10 requests: no string
    } else {
      out.writeCharSequence(Integer.toString(value), StandardCharsets.US_ASCII);
    }
  }

  /** {@code {"prompt_tokens":…,"total_tokens":…,"completion_tokens":…}}. */
  public static String usageLiteral(int promptTokens, int completionTokens) {
    return "{\"prompt_tokens\":" + promptTokens + ",\"total_tokens\":"
        + (promptTokens + completionTokens) + ",\"completion_tokens\":" + completionTokens + "}";
  }

  /** A stop reason ({@code null}, a stop string, or a stop token id) as JSON. */
  public static String stopReasonLiteral(@Nullable Object stopReason) {
    if (stopReason == null || stopReason instanceof Double d && !Double.isFinite(d)) {
      // A number too large for a double (1E400) parses as infinity, which JSON cannot write;
      // no token id is that large, so the engine gave no usable stop reason.
      return "null";
    }
    return stopReason instanceof String s ? JsonText.quote(s) : String.valueOf(stopReason);
  }

  /** An error event: {@code data: {"error":…}}. */
  public static Buffer error(OpenAiError error) {
    return Sse.event(error.toJson());
  }
}
