package io.llumnix.gateway.openai;

import io.llumnix.tokenizer.ChatTemplate;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's chat or completion request, validated and turned into the completion request sent
 * to the engine: the prompt as token ids, every sampling field and vLLM extra copied to itself,
 * always streaming with usage.
 *
 * @param model the model string the client sent (the {@code model} metric label)
 * @param stream whether the client asked for a stream
 * @param includeUsage whether the client asked for the usage chunk
 * @param promptTokens the prompt's token ids
 * @param priority the client's {@code priority} (lower first), 0 when not given
 * @param backendBody the {@code /v1/completions} body for the engine
 */
public record OpenAiRequest(boolean chat, String model, boolean stream, boolean includeUsage,
    int[] promptTokens, int priority, JsonObject backendBody) {

  /** Chat fields that have no place in a completion request. */
  private static final Set<String> CHAT_ONLY = Set.of("messages", "max_completion_tokens",
      "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls",
      "response_format", "chat_template", "chat_template_kwargs", "add_generation_prompt",
      "continue_final_message", "documents", "reasoning_effort");
  private static final Set<String> ROLES =
      Set.of("system", "user", "assistant", "tool", "developer", "function");
  /** No engine serves more than this; larger values are a client mistake. */
  private static final int MAX_TOKENS_LIMIT = 1 << 24;

  /**
   * Validates and converts a request body.
   *
   * @param maxModelLen the context length, or 0 when unknown (the engine then decides)
   * @throws GatewayError 400 for anything a client must fix
   */
  public static OpenAiRequest parse(JsonObject body, boolean chat, Tokenizer tokenizer,
      int maxModelLen, String requestId) {
    Object model = body.getValue("model");
    if (model != null && !(model instanceof String)) {
      throw GatewayError.badRequest("model: Input should be a valid string", "model");
    }
    int[] prompt = chat ? chatPrompt(body, tokenizer) : completionPrompt(body, tokenizer);
    if (prompt.length == 0) {
      throw GatewayError.badRequest("The prompt cannot be empty.", chat ? "messages" : "prompt");
    }
    Boolean stream = bool(body, "stream");
    Object options = body.getValue("stream_options");
    if (options != null && !(options instanceof JsonObject)) {
      throw GatewayError.badRequest("stream_options: Input should be a valid dictionary",
          "stream_options");
    }
    boolean includeUsage = options instanceof JsonObject o
        && !Boolean.FALSE.equals(o.getValue("include_usage"));
    Integer maxTokens = chat ? integer(body, "max_completion_tokens") : null;
    if (maxTokens == null) {
      maxTokens = integer(body, "max_tokens");
    }
    if (maxTokens != null && (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT)) {
      throw GatewayError.badRequest("max_tokens must be between 1 and " + MAX_TOKENS_LIMIT
          + ", got " + maxTokens + ".", "max_tokens");
    }
    if (maxModelLen > 0) {
      if (prompt.length >= maxModelLen) {
        throw GatewayError.badRequest("This model's maximum context length is " + maxModelLen
            + " tokens. However, your request has " + prompt.length
            + " input tokens. Please reduce the length of the input messages.", null);
      }
      if (maxTokens != null && prompt.length + maxTokens > maxModelLen) {
        throw GatewayError.badRequest("'max_tokens' or 'max_completion_tokens' is too large: "
            + maxTokens + ". This model's maximum context length is " + maxModelLen
            + " tokens and your request has " + prompt.length + " input tokens (" + maxTokens
            + " > " + maxModelLen + " - " + prompt.length + ").", "max_tokens");
      }
    }
    Integer priority = integer(body, "priority");
    Integer n = integer(body, "n");
    if (n != null && n != 1) {
      throw GatewayError.badRequest("n: only 1 is supported, got " + n, "n");
    }

    JsonObject backend = new JsonObject();
    for (var field : body) {
      if (!(chat && CHAT_ONLY.contains(field.getKey())) && !field.getKey().equals("prompt")) {
        backend.put(field.getKey(), field.getValue());
      }
    }
    JsonArray ids = new JsonArray(new ArrayList<>(prompt.length));
    for (int id : prompt) {
      ids.add(id);
    }
    backend.put("prompt", ids).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("request_id", requestId);
    if (maxTokens != null) {
      backend.put("max_tokens", maxTokens);
    } else if (chat && maxModelLen > 0) {
      backend.put("max_tokens", maxModelLen - prompt.length);
    }
    return new OpenAiRequest(chat, model == null ? "" : (String) model,
        Boolean.TRUE.equals(stream), includeUsage, prompt, priority == null ? 0 : priority,
        backend);
  }

  private static int[] completionPrompt(JsonObject body, Tokenizer tokenizer) {
    Object prompt = body.getValue("prompt");
    if (prompt == null) {
      throw GatewayError.badRequest("Field required: prompt", "prompt");
    }
    if (prompt instanceof String text) {
      return tokenizer.encode(text);
    }
    if (prompt instanceof JsonArray array) {
      if (array.size() == 1 && array.getValue(0) instanceof String text) {
        return tokenizer.encode(text);
      }
      if (array.size() == 1 && array.getValue(0) instanceof JsonArray inner) {
        return ids(inner);
      }
      if (array.isEmpty() || array.getValue(0) instanceof Number) {
        return ids(array);
      }
      throw GatewayError.badRequest("prompt: the gateway takes one prompt per request",
          "prompt");
    }
    throw GatewayError.badRequest("prompt: Input should be a valid string or a list of token "
        + "ids", "prompt");
  }

  private static int[] ids(JsonArray array) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      if (!(array.getValue(i) instanceof Number number) || number.longValue() < 0
          || number.doubleValue() != Math.rint(number.doubleValue())) {
        throw GatewayError.badRequest("prompt: token ids must be non-negative integers",
            "prompt");
      }
      ids[i] = number.intValue();
    }
    return ids;
  }

  private static int[] chatPrompt(JsonObject body, Tokenizer tokenizer) {
    Object value = body.getValue("messages");
    if (value == null) {
      throw GatewayError.badRequest("Field required: messages", "messages");
    }
    if (!(value instanceof JsonArray messages)) {
      throw GatewayError.badRequest("messages: Input should be a valid list", "messages");
    }
    if (messages.isEmpty()) {
      throw GatewayError.badRequest("messages: List should have at least 1 item", "messages");
    }
    List<Map<String, Object>> parsed = new ArrayList<>(messages.size());
    for (Object item : messages) {
      if (!(item instanceof JsonObject message)) {
        throw GatewayError.badRequest("messages: each message should be an object", "messages");
      }
      if (!(message.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        throw GatewayError.badRequest("messages: unknown role " + message.getValue("role")
            + " (expected one of: " + ROLES.stream().sorted().toList() + ")", "messages");
      }
      // The template sees every field the client sent (tool_calls, reasoning_content, ...).
      Map<String, Object> fields = plain(message);
      fields.put("content", content(message.getValue("content")));
      parsed.add(fields);
    }
    Map<String, Object> variables = new HashMap<>();
    if (body.getValue("chat_template_kwargs") instanceof JsonObject kwargs) {
      variables.putAll(plain(kwargs));
    } else if (body.getValue("chat_template_kwargs") != null) {
      throw GatewayError.badRequest("chat_template_kwargs: Input should be a valid dictionary",
          "chat_template_kwargs");
    }
    Boolean generationPrompt = bool(body, "add_generation_prompt");
    variables.put("add_generation_prompt", generationPrompt == null || generationPrompt);
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      variables.put("tools", plain(tools));
    }
    String text;
    try {
      text = tokenizer.chatTemplate().render(parsed, variables);
    } catch (ChatTemplate.TemplateException e) {
      throw GatewayError.badRequest(e.getMessage(), "messages");
    }
    return tokenizer.encode(text);
  }

  /** The JSON as maps and lists, which the template engine can navigate. */
  private static Map<String, Object> plain(JsonObject object) {
    Map<String, Object> map = new LinkedHashMap<>(object.size() * 2); // tojson keeps key order
    for (var field : object) {
      map.put(field.getKey(), plainValue(field.getValue()));
    }
    return map;
  }

  private static List<Object> plain(JsonArray array) {
    List<Object> list = new ArrayList<>(array.size());
    for (Object item : array) {
      list.add(plainValue(item));
    }
    return list;
  }

  private static Object plainValue(Object value) {
    return value instanceof JsonObject o ? plain(o) : value instanceof JsonArray a ? plain(a)
        : value;
  }

  private static String content(Object content) {
    if (content == null) {
      return "";
    }
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject p && p.getValue("text") instanceof String t) {
          text.append(t);
        } else {
          throw GatewayError.badRequest("messages: content parts must have a text",
              "messages");
        }
      }
      return text.toString();
    }
    throw GatewayError.badRequest("messages: content should be a string or a list of parts",
        "messages");
  }

  private static Boolean bool(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    throw GatewayError.badRequest(field + ": Input should be a valid boolean", field);
  }

  private static Integer integer(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw GatewayError.badRequest(field + ": Input should be a valid integer", field);
  }
}
