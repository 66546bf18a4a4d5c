package io.llumnix.openai;

import io.llumnix.core.json.JsonText;
import io.vertx.core.buffer.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * Writes a non-streamed chat ({@code chat.completion}) or completion ({@code text_completion})
 * answer. The {@link Dialect#ENGINE} shape is vLLM's, with its extra null fields; the
 * {@link Dialect#GATEWAY} shape has OpenAI's fields only.
 *
 * <pre>{@code
 * Buffer body = new BodyWriter(true, "chatcmpl-1", created, "m", Dialect.GATEWAY)
 *     .choice(0, "Hello", "stop", "null").end(12, 1, null);
 * }</pre>
 */
public final class BodyWriter {

  private final boolean chat;
  private final boolean engine;
  private final StringBuilder out = new StringBuilder(512);
  private int choices;

  public BodyWriter(boolean chat, String id, long created, String model, Dialect dialect) {
    this.chat = chat;
    this.engine = dialect == Dialect.ENGINE;
    out.append("{\"id\":");
    JsonText.quote(out, id);
    out.append(chat ? ",\"object\":\"chat.completion\"" : ",\"object\":\"text_completion\"")
        .append(",\"created\":").append(created).append(",\"model\":");
    JsonText.quote(out, model).append(",\"choices\":[");
  }

  /** Adds a finished choice with its whole text. */
  public BodyWriter choice(int index, CharSequence text, String finishReason,
      CharSequence stopReasonLiteral) {
    if (choices++ > 0) {
      out.append(',');
    }
    out.append("{\"index\":").append(index);
    if (chat) {
      out.append(",\"message\":{\"role\":\"assistant\",\"content\":");
      JsonText.quote(out, text);
      out.append(engine ? ",\"refusal\":null,\"annotations\":null,\"audio\":null,"
          + "\"function_call\":null,\"tool_calls\":[],\"reasoning_content\":null}"
          : ",\"tool_calls\":[]}");
    } else {
      out.append(",\"text\":");
      JsonText.quote(out, text);
    }
    out.append(",\"logprobs\":null,\"finish_reason\":");
    JsonText.quote(out, finishReason).append(",\"stop_reason\":").append(stopReasonLiteral);
    if (!chat && engine) {
      out.append(",\"prompt_logprobs\":null");
    }
    out.append('}');
    return this;
  }

  /**
   * The body, with usage; an engine's also carries {@code kv_transfer_params} (the JSON, or
   * null).
   */
  public Buffer end(int promptTokens, int completionTokens,
      @Nullable CharSequence kvTransferParamsJson) {
    out.append("],");
    if (chat && engine) {
      out.append("\"service_tier\":null,\"system_fingerprint\":null,");
    }
    out.append("\"usage\":{\"prompt_tokens\":").append(promptTokens)
        .append(",\"total_tokens\":").append(promptTokens + completionTokens)
        .append(",\"completion_tokens\":").append(completionTokens);
    out.append(engine ? ",\"prompt_tokens_details\":null}" : "}");
    if (engine) {
      if (chat) {
        out.append(",\"prompt_logprobs\":null");
      }
      out.append(",\"kv_transfer_params\":")
          .append(kvTransferParamsJson == null ? "null" : kvTransferParamsJson);
    }
    return Buffer.buffer(out.append('}').toString());
  }
}
