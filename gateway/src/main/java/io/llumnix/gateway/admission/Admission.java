package io.llumnix.gateway.admission;

import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.OpenAiRequest;
import io.llumnix.openai.RequestRules;
import io.llumnix.runtime.ProxyHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * The first stage of a request: the body parsed and validated by the gateway's OpenAI rules,
 * the prompt tokenized (a chat rendered by the model's template first), and the engine request
 * built: the chat-to-completion conversion copies each field to itself, drops what only a chat
 * has, and asks for a stream with usage whatever the client asked (the gateway reshapes it).
 * Thread-safe: the gateway admits on its admission threads, or on its event loop a small
 * request alone in the gateway.
 */
public final class Admission {

  /** Chat fields that have no place in a completion request. */
  private static final Set<String> CHAT_ONLY = Set.of("messages", "max_completion_tokens",
      "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls",
      "response_format", "chat_template", "chat_template_kwargs", "add_generation_prompt",
      "continue_final_message", "documents", "reasoning_effort");

  /**
   * Client headers not sent to the engine besides the hop-by-hop ones: the body's type (the
   * body is rewritten), the host (the engine's own), the encodings the client accepts (the
   * gateway reads the engine's stream), and the request id (set by the gateway).
   */
  private static final Set<String> NOT_FORWARDED = Set.of("content-type", "host",
      "accept-encoding", "x-request-id");

  private final RequestRules rules;

  public Admission(RequestRules rules) {
    this.rules = rules;
  }

  /**
   * Admits one request.
   *
   * @throws OpenAiError 400 for anything a client must fix
   */
  public AdmittedRequest admit(Buffer body, boolean chat, String id, long arrivalNanos,
      MultiMap clientHeaders) {
    OpenAiRequest request = OpenAiRequest.parse(OpenAiRequest.jsonBody(body), chat, rules);
    JsonObject fields = engineFields(request, id);
    return new AdmittedRequest(id, arrivalNanos, request, fields,
        AdmittedRequest.engineJson(fields, request.prompt()), forwarded(clientHeaders));
  }

  private JsonObject engineFields(OpenAiRequest request, String id) {
    JsonObject fields = new JsonObject();
    for (Map.Entry<String, Object> field : request.body()) {
      String name = field.getKey();
      if (!(request.chat() && CHAT_ONLY.contains(name)) && !name.equals("prompt")) {
        fields.put(name, field.getValue());
      }
    }
    fields.put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("request_id", id);
    if (request.resolvedMaxTokens() > 0) {
      fields.put("max_tokens", request.resolvedMaxTokens());
    }
    return fields;
  }

  /** The client's headers minus those that must not reach the engine. */
  static MultiMap forwarded(MultiMap clientHeaders) {
    return ProxyHeaders.forwardable(clientHeaders, NOT_FORWARDED);
  }
}
