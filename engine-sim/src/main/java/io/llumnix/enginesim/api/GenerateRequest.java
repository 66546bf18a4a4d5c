package io.llumnix.enginesim.api;

import io.llumnix.enginesim.EngineSettings;
import io.llumnix.tokenizer.ChatTemplate;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A validated completion or chat request, with its prompts tokenized. Validation follows vLLM's
 * {@code protocol.py} and {@code serving_engine.py}: the same defaults, limits and messages.
 *
 * @param maxTokens the resolved output limit per prompt
 * @param maxTokensSet whether the client set it (vLLM observes only then)
 */
record GenerateRequest(boolean chat, String model, List<int[]> prompts, int maxTokens,
    boolean maxTokensSet, int minTokens, boolean ignoreEos, List<String> stop,
    int[] stopTokenIds, boolean stream, boolean includeUsage, boolean continuousUsage,
    long seed, @Nullable JsonObject kvTransferParams) {

  private static final Set<String> ROLES =
      Set.of("system", "user", "assistant", "tool", "developer", "function");

  static GenerateRequest parse(JsonObject body, boolean chat, EngineSettings settings,
      Tokenizer tokenizer) {
    Fields f = new Fields(body);
    String model = f.string("model");
    if (model != null && !model.equals(settings.modelName()) && !model.equals(settings.model())) {
      throw ApiError.notFound("The model `" + model + "` does not exist.");
    }
    List<int[]> prompts = chat ? List.of(chatPrompt(f, tokenizer)) : prompts(f, tokenizer);
    for (int[] prompt : prompts) {
      if (prompt.length == 0) {
        throw ApiError.badRequest("The prompt cannot be empty.", "prompt");
      }
      for (int id : prompt) {
        if (id < 0 || id >= tokenizer.vocabSize()) {
          throw ApiError.badRequest("Token id " + id + " is out of vocabulary", "prompt");
        }
      }
    }

    Integer n = f.integer("n");
    if (n != null && n != 1) {
      throw ApiError.badRequest(n < 1 ? "n must be at least 1, got " + n + "."
          : "n > 1 is not supported by the engine simulator, got " + n + ".", "n");
    }
    Integer maxTokens = chat ? f.integer("max_completion_tokens") : null;
    if (maxTokens == null) {
      maxTokens = f.integer("max_tokens");
    }
    if (maxTokens != null && maxTokens < 1) {
      throw ApiError.badRequest("max_tokens must be at least 1, got " + maxTokens + ".",
          "max_tokens");
    }
    Integer minTokens = f.integer("min_tokens");
    if (minTokens != null && minTokens < 0) {
      throw ApiError.badRequest("min_tokens must be greater than or equal to 0, got "
          + minTokens + ".", "min_tokens");
    }
    Double temperature = f.number("temperature");
    if (temperature != null && temperature < 0) {
      throw ApiError.badRequest("temperature must be non-negative, got " + temperature + ".",
          "temperature");
    }
    Double topP = f.number("top_p");
    if (topP != null && (topP <= 0 || topP > 1)) {
      throw ApiError.badRequest("top_p must be in (0, 1], got " + topP + ".", "top_p");
    }
    Integer topK = f.integer("top_k");
    if (topK != null && topK < -1) {
      throw ApiError.badRequest("top_k must be -1 (disable), or at least 1, got " + topK + ".",
          "top_k");
    }
    Integer logprobs = chat ? f.integer("top_logprobs") : f.integer("logprobs");
    if (chat) {
      f.bool("logprobs");
    }
    if (logprobs != null && logprobs > settings.maxLogprobs()) {
      throw ApiError.badRequest("Requested sample logprobs of " + logprobs
          + ", which is greater than max allowed: " + settings.maxLogprobs(), "logprobs");
    }
    Integer priority = f.integer("priority");
    if (priority != null && priority != 0) {
      throw ApiError.badRequest(
          "Priority scheduling is not enabled: set --scheduling-policy priority.", "priority");
    }
    Boolean stream = f.bool("stream");
    JsonObject streamOptions = f.object("stream_options");
    if (streamOptions != null && !Boolean.TRUE.equals(stream)) {
      throw ApiError.badRequest("Stream options can only be defined when `stream=True`.",
          "stream_options");
    }
    Fields so = new Fields(streamOptions == null ? new JsonObject() : streamOptions);
    Boolean includeUsage = so.bool("include_usage");
    Boolean continuousUsage = so.bool("continuous_usage_stats");
    List<String> stop = f.stringOrStrings("stop");
    int[] stopTokenIds = f.integers("stop_token_ids");
    Boolean ignoreEos = f.bool("ignore_eos");
    Integer seed = f.integer("seed");
    f.string("request_id");
    f.string("user");
    f.bool("echo");
    f.number("frequency_penalty");
    f.number("presence_penalty");
    f.number("repetition_penalty");
    f.number("min_p");
    JsonObject kvTransferParams = f.object("kv_transfer_params");

    int maxModelLen = settings.maxModelLen();
    int longest = 0;
    for (int[] prompt : prompts) {
      longest = Math.max(longest, prompt.length);
    }
    if (longest >= maxModelLen) {
      throw ApiError.badRequest("This model's maximum context length is " + maxModelLen
          + " tokens. However, your request has " + longest
          + " input tokens. Please reduce the length of the input messages.");
    }
    int resolvedMax;
    if (maxTokens == null) {
      resolvedMax = chat ? maxModelLen - longest : Math.min(16, maxModelLen - longest);
    } else {
      if (longest + maxTokens > maxModelLen) {
        throw ApiError.badRequest("'max_tokens' or 'max_completion_tokens' is too large: "
            + maxTokens + ". This model's maximum context length is " + maxModelLen
            + " tokens and your request has " + longest + " input tokens (" + maxTokens
            + " > " + maxModelLen + " - " + longest + ").", "max_tokens");
      }
      resolvedMax = maxTokens;
    }
    if (minTokens != null && minTokens > resolvedMax) {
      throw ApiError.badRequest("min_tokens must be less than or equal to max_tokens="
          + resolvedMax + ", got " + minTokens + ".", "min_tokens");
    }
    return new GenerateRequest(chat, settings.modelName(), prompts, resolvedMax,
        maxTokens != null, minTokens == null ? 0 : minTokens, Boolean.TRUE.equals(ignoreEos),
        stop, stopTokenIds, Boolean.TRUE.equals(stream),
        Boolean.TRUE.equals(stream) && streamOptions != null && !Boolean.FALSE.equals(includeUsage),
        Boolean.TRUE.equals(continuousUsage), seed == null ? 0 : seed, kvTransferParams);
  }

  private static List<int[]> prompts(Fields f, Tokenizer tokenizer) {
    Object prompt = f.body().getValue("prompt");
    if (prompt == null) {
      throw ApiError.badRequest("Field required: prompt", "prompt");
    }
    if (prompt instanceof String text) {
      return List.of(tokenizer.encode(text));
    }
    if (prompt instanceof JsonArray array) {
      if (array.isEmpty()) {
        throw ApiError.badRequest("The prompt cannot be empty.", "prompt");
      }
      if (array.getValue(0) instanceof Number) {
        return List.of(tokenIds(array));
      }
      List<int[]> prompts = new ArrayList<>(array.size());
      for (Object item : array) {
        if (item instanceof String text) {
          prompts.add(tokenizer.encode(text));
        } else if (item instanceof JsonArray ids) {
          prompts.add(tokenIds(ids));
        } else {
          throw invalidPrompt();
        }
      }
      return prompts;
    }
    throw invalidPrompt();
  }

  private static int[] tokenIds(JsonArray array) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      if (!(array.getValue(i) instanceof Number number)
          || number.doubleValue() != Math.rint(number.doubleValue())) {
        throw invalidPrompt();
      }
      ids[i] = number.intValue();
    }
    return ids;
  }

  private static ApiError invalidPrompt() {
    return ApiError.badRequest("prompt: Input should be a valid string, a list of strings, "
        + "a list of token ids, or a list of lists of token ids", "prompt");
  }

  private static int[] chatPrompt(Fields f, Tokenizer tokenizer) {
    Object value = f.body().getValue("messages");
    if (value == null) {
      throw ApiError.badRequest("Field required: messages", "messages");
    }
    if (!(value instanceof JsonArray messages)) {
      throw ApiError.badRequest("messages: Input should be a valid list", "messages");
    }
    if (messages.isEmpty()) {
      throw ApiError.badRequest("messages: List should have at least 1 item", "messages");
    }
    List<Map<String, Object>> parsed = new ArrayList<>(messages.size());
    for (Object item : messages) {
      if (!(item instanceof JsonObject message)) {
        throw ApiError.badRequest("messages: each message should be an object", "messages");
      }
      Object role = message.getValue("role");
      if (!(role instanceof String r) || !ROLES.contains(r)) {
        throw ApiError.badRequest("messages: unknown role " + role + " (expected one of: "
            + ROLES.stream().sorted().toList() + ")", "messages");
      }
      parsed.add(Map.of("role", r, "content", content(message.getValue("content"))));
    }
    Map<String, Object> variables = new HashMap<>();
    if (f.body().getValue("chat_template_kwargs") instanceof JsonObject kwargs) {
      variables.putAll(kwargs.getMap());
    }
    variables.put("add_generation_prompt",
        !Boolean.FALSE.equals(f.body().getValue("add_generation_prompt")));
    try {
      return tokenizer.encode(tokenizer.chatTemplate().render(parsed, variables));
    } catch (ChatTemplate.TemplateException e) {
      throw ApiError.badRequest(e.getMessage(), "messages");
    }
  }

  private static String content(@Nullable Object content) {
    if (content == null) {
      return "";
    }
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject p && "text".equals(p.getValue("type"))
            && p.getValue("text") instanceof String t) {
          text.append(t);
        } else {
          throw ApiError.badRequest("messages: content parts must be {\"type\":\"text\","
              + "\"text\":...}", "messages");
        }
      }
      return text.toString();
    }
    throw ApiError.badRequest("messages: content should be a string or a list of parts",
        "messages");
  }

  /** Typed access to optional fields; a present field of the wrong type is a 400. */
  private record Fields(JsonObject body) {

    @Nullable String string(String name) {
      Object v = body.getValue(name);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw wrongType(name, "a valid string");
    }

    @Nullable Integer integer(String name) {
      Object v = body.getValue(name);
      if (v == null) {
        return null;
      }
      if (v instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
          && Math.abs(number.doubleValue()) <= Integer.MAX_VALUE) {
        return number.intValue();
      }
      throw wrongType(name, "a valid integer");
    }

    @Nullable Double number(String name) {
      Object v = body.getValue(name);
      if (v == null) {
        return null;
      }
      if (v instanceof Number number) {
        return number.doubleValue();
      }
      throw wrongType(name, "a valid number");
    }

    @Nullable Boolean bool(String name) {
      Object v = body.getValue(name);
      if (v == null || v instanceof Boolean) {
        return (Boolean) v;
      }
      throw wrongType(name, "a valid boolean");
    }

    @Nullable JsonObject object(String name) {
      Object v = body.getValue(name);
      if (v == null || v instanceof JsonObject) {
        return (JsonObject) v;
      }
      throw wrongType(name, "a valid dictionary");
    }

    List<String> stringOrStrings(String name) {
      Object v = body.getValue(name);
      if (v == null) {
        return List.of();
      }
      if (v instanceof String s) {
        return s.isEmpty() ? List.of() : List.of(s);
      }
      if (v instanceof JsonArray array) {
        List<String> result = new ArrayList<>(array.size());
        for (Object item : array) {
          if (!(item instanceof String s)) {
            throw wrongType(name, "a valid string or list of strings");
          }
          if (!s.isEmpty()) {
            result.add(s);
          }
        }
        return result;
      }
      throw wrongType(name, "a valid string or list of strings");
    }

    int[] integers(String name) {
      Object v = body.getValue(name);
      if (v == null) {
        return new int[0];
      }
      if (v instanceof JsonArray array) {
        int[] result = new int[array.size()];
        for (int i = 0; i < result.length; i++) {
          if (!(array.getValue(i) instanceof Number number)) {
            throw wrongType(name, "a valid list of integers");
          }
          result[i] = number.intValue();
        }
        return result;
      }
      throw wrongType(name, "a valid list of integers");
    }

    private static ApiError wrongType(String name, String expected) {
      return ApiError.badRequest(name + ": Input should be " + expected, name);
    }
  }
}
