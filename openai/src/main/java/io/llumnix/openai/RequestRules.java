package io.llumnix.openai;

import io.llumnix.tokenizer.Tokenizer;
import java.util.Set;

/**
 * What a request is validated against.
 *
 * @param dialect who answers (see {@link Dialect})
 * @param servedModels the model names an engine accepts; empty accepts any (the gateway)
 * @param tokenizer tokenizes text prompts and renders chats; its vocabulary bounds token ids
 * @param maxModelLen the context length; 0 when unknown (the engine then decides)
 * @param maxLogprobs the largest {@code logprobs} accepted; 0 when unknown
 */
public record RequestRules(Dialect dialect, Set<String> servedModels, Tokenizer tokenizer,
    int maxModelLen, int maxLogprobs) {

  /** No engine serves more output tokens than this; larger values are a client mistake. */
  public static final int MAX_TOKENS_LIMIT = 1 << 24;

  public RequestRules {
    servedModels = Set.copyOf(servedModels);
  }

  /** The gateway's rules: any model, the context length if known. */
  public static RequestRules gateway(Tokenizer tokenizer, int maxModelLen) {
    return new RequestRules(Dialect.GATEWAY, Set.of(), tokenizer, maxModelLen, 0);
  }
}
