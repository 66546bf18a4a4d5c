package io.llumnix.openai;

/**
 * Who is answering: the few places where an engine (vLLM, or our simulator speaking as vLLM)
 * and the gateway in front of engines must answer the same request differently. Everything
 * else — field types, limits, messages, error types, response shapes — is one rule for both.
 */
public enum Dialect {
  /**
   * vLLM's own server: the model must be one it serves (else 404), a completion may carry
   * several prompts, {@code priority} needs priority scheduling (else 400), an absent
   * {@code max_tokens} resolves to 16 for completions and to the rest of the context for chats,
   * and full responses carry vLLM's extra null fields ({@code refusal}, {@code prompt_logprobs},
   * {@code kv_transfer_params}, ...).
   */
  ENGINE,
  /**
   * The gateway: the model is a routing label the client chooses, a request carries one
   * prompt, {@code priority} orders the gateway's queue, an absent {@code max_tokens} of a chat
   * is the rest of the context when the gateway knows it (else the engine decides), and full
   * responses carry OpenAI's fields only.
   */
  GATEWAY
}
