package io.llumnix.openai;

import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A validated chat or completion request with its prompts tokenized. Validation follows vLLM's
 * {@code protocol.py} and {@code serving_engine.py}: the same defaults, limits and messages,
 * with the differences of {@link Dialect} and nothing else.
 *
 * @param model the model string the client sent; "" when it sent none
 * @param prompts the prompts' token ids; exactly one for the gateway
 * @param maxTokens the output limit as the client gave it ({@code max_completion_tokens} first
 *     for chats), or null
 * @param resolvedMaxTokens the output limit to apply; -1 when the engine decides
 * @param includeUsage whether a stream ends with a usage chunk
 * @param continuousUsage whether every chunk carries usage
 * @param priority the client's {@code priority} (lower first), 0 when not given
 * @param body the request as sent
 */
public record OpenAiRequest(boolean chat, String model, List<int[]> prompts,
    @Nullable Integer maxTokens, int resolvedMaxTokens, int minTokens, boolean ignoreEos,
    List<String> stop, int[] stopTokenIds, boolean stream, boolean includeUsage,
    boolean continuousUsage, long seed, int priority, @Nullable JsonObject kvTransferParams,
    JsonObject body) {

  /** The first (for the gateway, the only) prompt. */
  public int[] prompt() {
    return prompts.get(0);
  }

  /**
   * A request body as a JSON object.
   *
   * @throws OpenAiError 400 when it is empty or not a JSON object
   */
  public static JsonObject jsonBody(@Nullable Buffer body) {
    if (body != null && !Utf8.valid(body)) {
      // The JSON decoder lets some invalid sequences through (overlong forms): refuse them all,
      // as vLLM does, rather than tokenize what the client did not write.
      throw OpenAiError.badRequest("JSON decode error: the body is not valid UTF-8");
    }
    try {
      if (body != null && body.length() > 0 && body.toJsonObject() instanceof JsonObject json) {
        return json;
      }
    } catch (DecodeException | ClassCastException e) {
      // answered below, as an empty body is
    }
    throw OpenAiError.badRequest("JSON decode error: the body must be a JSON object");
  }

  /**
   * Validates {@code body} of {@code /v1/chat/completions} ({@code chat}) or
   * {@code /v1/completions}.
   *
   * @throws OpenAiError 400 (404 for an engine's unknown model) for anything a client must fix
   */
  public static OpenAiRequest parse(JsonObject body, boolean chat, RequestRules rules) {
    Fields f = new Fields(body);
    String model = f.string("model");
    if (model != null && !rules.servedModels().isEmpty()
        && !rules.servedModels().contains(model)) {
      throw OpenAiError.notFound("The model `" + model + "` does not exist.");
    }
    Tokenizer tokenizer = rules.tokenizer();
    List<int[]> prompts = chat ? List.of(ChatPrompt.tokens(f, tokenizer))
        : completionPrompts(f, tokenizer);
    if (rules.dialect() == Dialect.GATEWAY && prompts.size() != 1) {
      throw OpenAiError.badRequest("prompt: the gateway takes one prompt per request",
          "prompt");
    }
    int longest = 0;
    for (int[] prompt : prompts) {
      if (prompt.length == 0) {
        throw OpenAiError.badRequest("The prompt cannot be empty.", chat ? "messages" : "prompt");
      }
      for (int id : prompt) {
        if (id < 0 || id >= tokenizer.vocabSize()) {
          throw OpenAiError.badRequest("Token id " + id + " is out of vocabulary", "prompt");
        }
      }
      longest = Math.max(longest, prompt.length);
    }

    Integer n = f.integer("n");
    if (n != null && n < 1) {
      throw OpenAiError.badRequest("n must be at least 1, got " + n + ".", "n");
    }
    if (n != null && n > 1) {
      throw OpenAiError.badRequest("n > 1 is not supported, got " + n + ".", "n");
    }
    Integer maxTokens = chat ? f.integer("max_completion_tokens") : null;
    if (maxTokens == null) {
      maxTokens = f.integer("max_tokens");
    }
    if (maxTokens != null && maxTokens < 1) {
      throw OpenAiError.badRequest("max_tokens must be at least 1, got " + maxTokens + ".",
          "max_tokens");
    }
    if (maxTokens != null && maxTokens > RequestRules.MAX_TOKENS_LIMIT) {
      throw OpenAiError.badRequest("max_tokens must be at most " + RequestRules.MAX_TOKENS_LIMIT
          + ", got " + maxTokens + ".", "max_tokens");
    }
    Integer minTokens = f.integer("min_tokens");
    if (minTokens != null && minTokens < 0) {
      throw OpenAiError.badRequest("min_tokens must be greater than or equal to 0, got "
          + minTokens + ".", "min_tokens");
    }
    sampling(f, chat, rules);
    Integer priority = f.integer("priority");
    if (rules.dialect() == Dialect.ENGINE && priority != null && priority != 0) {
      throw OpenAiError.badRequest(
          "Priority scheduling is not enabled: set --scheduling-policy priority.", "priority");
    }
    boolean stream = Boolean.TRUE.equals(f.bool("stream"));
    JsonObject streamOptions = f.object("stream_options");
    if (streamOptions != null && !stream) {
      throw OpenAiError.badRequest("Stream options can only be defined when `stream=True`.",
          "stream_options");
    }
    Fields so = new Fields(streamOptions == null ? new JsonObject() : streamOptions);
    boolean includeUsage = streamOptions != null
        && !Boolean.FALSE.equals(so.bool("include_usage"));
    boolean continuousUsage = Boolean.TRUE.equals(so.bool("continuous_usage_stats"));
    List<String> stop = f.stringOrStrings("stop");
    int[] stopTokenIds = f.integers("stop_token_ids");
    boolean ignoreEos = Boolean.TRUE.equals(f.bool("ignore_eos"));
    Integer seed = f.integer("seed");
    f.string("request_id");
    f.string("user");
    f.bool("echo");
    JsonObject kvTransferParams = f.object("kv_transfer_params");

    int resolved = resolveMaxTokens(chat, rules, longest, maxTokens);
    if (minTokens != null && resolved >= 0 && minTokens > resolved) {
      throw OpenAiError.badRequest("min_tokens must be less than or equal to max_tokens="
          + resolved + ", got " + minTokens + ".", "min_tokens");
    }
    return new OpenAiRequest(chat, model == null ? "" : model, prompts, maxTokens, resolved,
        minTokens == null ? 0 : minTokens, ignoreEos, stop, stopTokenIds, stream, includeUsage,
        continuousUsage, seed == null ? 0 : seed, priority == null ? 0 : priority,
        kvTransferParams, body);
  }

  /** Sampling fields: checked for type and range, not kept (the simulator does not sample). */
  private static void sampling(Fields f, boolean chat, RequestRules rules) {
    Double temperature = f.number("temperature");
    if (temperature != null && temperature < 0) {
      throw OpenAiError.badRequest("temperature must be non-negative, got " + temperature + ".",
          "temperature");
    }
    Double topP = f.number("top_p");
    if (topP != null && (topP <= 0 || topP > 1)) {
      throw OpenAiError.badRequest("top_p must be in (0, 1], got " + topP + ".", "top_p");
    }
    Integer topK = f.integer("top_k");
    if (topK != null && topK < -1) {
      throw OpenAiError.badRequest("top_k must be -1 (disable), or at least 1, got " + topK
          + ".", "top_k");
    }
    Integer logprobs = chat ? f.integer("top_logprobs") : f.integer("logprobs");
    if (chat) {
      f.bool("logprobs");
    }
    if (logprobs != null && rules.maxLogprobs() > 0 && logprobs > rules.maxLogprobs()) {
      throw OpenAiError.badRequest("Requested sample logprobs of " + logprobs
          + ", which is greater than max allowed: " + rules.maxLogprobs(), "logprobs");
    }
    f.number("frequency_penalty");
    f.number("presence_penalty");
    f.number("repetition_penalty");
    f.number("min_p");
  }

  private static int resolveMaxTokens(boolean chat, RequestRules rules, int longest,
      @Nullable Integer maxTokens) {
    int maxModelLen = rules.maxModelLen();
    if (maxModelLen > 0) {
      if (longest >= maxModelLen) {
        throw OpenAiError.badRequest("This model's maximum context length is " + maxModelLen
            + " tokens. However, your request has " + longest
            + " input tokens. Please reduce the length of the input messages.");
      }
      if (maxTokens != null && longest + maxTokens > maxModelLen) {
        throw OpenAiError.badRequest("'max_tokens' or 'max_completion_tokens' is too large: "
            + maxTokens + ". This model's maximum context length is " + maxModelLen
            + " tokens and your request has " + longest + " input tokens (" + maxTokens
            + " > " + maxModelLen + " - " + longest + ").", "max_tokens");
      }
    }
    if (maxTokens != null) {
      return maxTokens;
    }
    if (maxModelLen <= 0) {
      return -1; // the engine decides
    }
    if (chat) {
      return maxModelLen - longest;
    }
    return rules.dialect() == Dialect.ENGINE ? Math.min(16, maxModelLen - longest) : -1;
  }

  private static List<int[]> completionPrompts(Fields f, Tokenizer tokenizer) {
    Object prompt = f.value("prompt");
    if (prompt == null) {
      throw OpenAiError.badRequest("Field required: prompt", "prompt");
    }
    if (prompt instanceof String text) {
      return List.of(tokenizer.encode(text));
    }
    if (prompt instanceof JsonArray array) {
      if (array.isEmpty()) {
        throw OpenAiError.badRequest("The prompt cannot be empty.", "prompt");
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
          || number.doubleValue() != Math.rint(number.doubleValue())
          || Math.abs(number.doubleValue()) > Integer.MAX_VALUE) {
        throw invalidPrompt();
      }
      ids[i] = number.intValue();
    }
    return ids;
  }

  private static OpenAiError invalidPrompt() {
    return OpenAiError.badRequest("prompt: Input should be a valid string, a list of strings, "
        + "a list of token ids, or a list of lists of token ids", "prompt");
  }
}
