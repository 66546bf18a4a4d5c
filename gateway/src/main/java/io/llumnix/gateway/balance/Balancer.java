package io.llumnix.gateway.balance;

import io.llumnix.core.instance.LlmInstance;
import io.vertx.core.Future;

/**
 * Chooses an instance for each request and, in lite mode, keeps the scheduler's view of it
 * current. Implementations are thread-safe.
 */
public interface Balancer {

  /**
   * Chooses the instance for request {@code id}. Fails with a
   * {@link io.llumnix.gateway.openai.GatewayError} (503) when none is available.
   */
  Future<LlmInstance> schedule(String id, String model, int promptTokens);

  /** The request's first token came back: its prefill is done. */
  default void prefillDone(String id, String model, LlmInstance instance) {}

  /** The request holds {@code tokens} tokens (prompt plus output so far) on the instance. */
  default void reportTokens(String id, String model, LlmInstance instance, long tokens) {}

  /** The request ended (failed or abandoned) on the instance. */
  default void release(String id, String model, LlmInstance instance) {}

  /**
   * The request finished normally on the instance. Lite mode releases it; full mode does not
   * (the engine's status shows it gone), as the reference's gateway does.
   */
  default void finished(String id, String model, LlmInstance instance) {
    release(id, model, instance);
  }

  /** Stops background work (keepalive, reports). */
  default void close() {}
}
