package io.llumnix.gateway.admission;

import io.llumnix.openai.OpenAiRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A client's request, validated and tokenized, with what forwarding needs: the completion
 * request for the engine (the prompt as token ids, every sampling field and vLLM extra copied
 * to itself, always streaming with usage) and the client headers that go along.
 *
 * @param id the request id ({@code x-request-id}, else a new UUID), also the engine's
 * @param arrivalNanos when it arrived, on the gateway's clock
 * @param client the request as the client sent it
 * @param engineFields the engine request's fields, all but {@code prompt}
 * @param headers client headers to send to the engine (no hop-by-hop ones)
 */
public record AdmittedRequest(String id, long arrivalNanos, OpenAiRequest client,
    JsonObject engineFields, MultiMap headers) {

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

  /** The body for the engine's {@code /v1/completions}. */
  public Buffer engineBody() {
    return engineBody(engineFields);
  }

  /**
   * The body for the engine with {@code fields} (a forwarder's variant of
   * {@link #engineFields()}) and the prompt's token ids, written without boxing them.
   */
  public Buffer engineBody(JsonObject fields) {
    String head = fields.encode();
    int[] prompt = prompt();
    StringBuilder out = new StringBuilder(head.length() + 16 + prompt.length * 7)
        .append(head, 0, head.length() - 1);
    out.append(fields.isEmpty() ? "\"prompt\":[" : ",\"prompt\":[");
    for (int i = 0; i < prompt.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(prompt[i]);
    }
    return Buffer.buffer(out.append("]}").toString());
  }
}
