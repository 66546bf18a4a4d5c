package io.llumnix.openai;

import io.llumnix.core.json.JsonText;
import io.vertx.core.buffer.Buffer;
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

  private final boolean chat;
  /** {@code data: {"id":…,"object":…,"created":…,"model":…,"choices":[{"index":} */
  private final String head;

  private ChunkWriter(boolean chat, String id, long created, String model) {
    this.chat = chat;
    StringBuilder h = new StringBuilder(96).append("data: {\"id\":");
    JsonText.quote(h, id);
    h.append(chat ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"text_completion\"")
        .append(",\"created\":").append(created).append(",\"model\":");
    JsonText.quote(h, model).append(",\"choices\":[");
    this.head = h.toString();
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
    StringBuilder out = new StringBuilder(head.length() + 96).append(head)
        .append("{\"index\":").append(index)
        .append(",\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
            + "\"finish_reason\":null}]");
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
    return token(index, textLiteral, false, finishReason, stopReasonLiteral, usageLiteral);
  }

  /** {@link #token} with the text as it is, escaped straight into the chunk. */
  public Buffer tokenText(int index, String text, @Nullable String finishReason,
      CharSequence stopReasonLiteral, @Nullable CharSequence usageLiteral) {
    return token(index, text, true, finishReason, stopReasonLiteral, usageLiteral);
  }

  private Buffer token(int index, CharSequence text, boolean escape,
      @Nullable String finishReason, CharSequence stopReasonLiteral,
      @Nullable CharSequence usageLiteral) {
    StringBuilder out = new StringBuilder(head.length() + text.length() + 96)
        .append(head).append("{\"index\":").append(index)
        .append(chat ? ",\"delta\":{\"content\":" : ",\"text\":");
    if (escape) {
      JsonText.quote(out, text);
    } else {
      out.append(text);
    }
    if (chat) {
      out.append('}');
    }
    out.append(",\"logprobs\":null,\"finish_reason\":");
    if (finishReason == null) {
      out.append("null");
    } else {
      out.append('"').append(finishReason).append('"');
    }
    if (finishReason != null || !chat) {
      out.append(",\"stop_reason\":").append(stopReasonLiteral);
    }
    return end(out.append("}]"), usageLiteral);
  }

  /** The usage chunk that ends a stream whose client asked for usage. */
  public Buffer usage(CharSequence usageLiteral) {
    StringBuilder out = new StringBuilder(head.length() + usageLiteral.length() + 16)
        .append(head).append("],\"usage\":").append(usageLiteral);
    return Buffer.buffer(out.append("}\n\n").toString());
  }

  private Buffer end(StringBuilder out, @Nullable CharSequence usageLiteral) {
    if (usageLiteral != null) {
      out.append(",\"usage\":").append(usageLiteral);
    } else if (!chat) {
      out.append(",\"usage\":null");
    }
    return Buffer.buffer(out.append("}\n\n").toString());
  }

  /** {@code {"prompt_tokens":…,"total_tokens":…,"completion_tokens":…}}. */
  public static String usageLiteral(int promptTokens, int completionTokens) {
    return "{\"prompt_tokens\":" + promptTokens + ",\"total_tokens\":"
        + (promptTokens + completionTokens) + ",\"completion_tokens\":" + completionTokens + "}";
  }

  /** A stop reason ({@code null}, a stop string, or a stop token id) as JSON. */
  public static String stopReasonLiteral(@Nullable Object stopReason) {
    if (stopReason == null) {
      return "null";
    }
    return stopReason instanceof String s ? JsonText.quote(s) : String.valueOf(stopReason);
  }

  /** An error event: {@code data: {"error":…}}. */
  public static Buffer error(OpenAiError error) {
    return Sse.event(error.toJson());
  }
}
