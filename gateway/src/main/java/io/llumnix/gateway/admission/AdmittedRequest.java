package io.llumnix.gateway.admission;

import io.llumnix.openai.OpenAiRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A client's request, validated and tokenized, with what forwarding needs: the completion
 * request for the engine (the prompt as token ids, every sampling field and vLLM extra copied
 * to itself, always streaming with usage), encoded once at admission, off the event loop, and
 * the client headers that go along.
 *
 * @param id the request id ({@code x-request-id}, else a new UUID), also the engine's
 * @param arrivalNanos when it arrived, on the gateway's clock
 * @param client the request as the client sent it
 * @param engineFields the engine request without its prompt; never modified (a prefill/decode
 *     forwarder derives its variants from a copy)
 * @param engineJson the body for the engine's {@code /v1/completions}, UTF-8
 * @param headers client headers to send to the engine (no hop-by-hop ones)
 */
public record AdmittedRequest(String id, long arrivalNanos, OpenAiRequest client,
    JsonObject engineFields, byte[] engineJson, MultiMap headers) {

  /** The model string the client sent (the {@code model} metric label). */
  public String model() {
    return client.model();
  }

  public boolean chat() {
    return client.chat();
  }

  public boolean stream() {
    return client.stream();
  }

  public int[] prompt() {
    return client.prompt();
  }

  /** The body for the engine, a new buffer each call (a retry sends it again). */
  public Buffer engineBody() {
    return Buffer.buffer(engineJson);
  }

  /**
   * The engine body with {@code edit} applied to a copy of its fields (the prompt stays as it
   * is): what a prefill/decode forwarder sends each side.
   */
  public Buffer engineBodyWith(Consumer<JsonObject> edit) {
    JsonObject fields = engineFields.copy();
    edit.accept(fields);
    return Buffer.buffer(engineJson(fields, client.prompt()));
  }

  /**
   * {@code fields} (the engine request without its prompt) and the prompt's token ids as one
   * JSON body, the ids written without boxing them.
   */
  static byte[] engineJson(JsonObject fields, int[] prompt) {
    String head = fields.encode();
    StringBuilder out = new StringBuilder(head.length() + 16 + prompt.length * 7)
        .append(head, 0, head.length() - 1);
    out.append(fields.isEmpty() ? "\"prompt\":[" : ",\"prompt\":[");
    for (int i = 0; i < prompt.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(prompt[i]);
    }
    return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
