package io.llumnix.enginesim.api;

import io.llumnix.enginesim.core.SimRequest;

/** What the HTTP API needs of an engine. All calls happen on the engine's event loop. */
public interface EngineHandle {

  /** Queues a request; its listener hears tokens and the finish. */
  void submit(SimRequest request);

  /** Aborts a queued or running request; no-op for an unknown or finished id. */
  void abort(String requestId);

  /** Whether a request with this id is in the engine. */
  boolean contains(String requestId);

  /** Ends a request with an error, freeing its blocks; no-op for an unknown id. */
  void fail(String requestId, String message);

  /**
   * The KV of waiting request {@code requestId} arrives {@code transferNanos} of simulated time
   * from now.
   */
  void remoteKvReady(String requestId, long transferNanos);

  /** Tokens whose blocks finished request {@code requestId} holds for a transfer, or -1. */
  int heldTokens(String requestId);

  /** Frees the blocks held for {@code requestId} after {@code transferNanos} of simulated time. */
  void releaseHeldAfter(String requestId, long transferNanos);

  /** Frees the blocks held for {@code requestId} now; false when none are held. */
  boolean releaseHeld(String requestId);

  /** This engine's id in KV-transfer parameters. */
  String engineId();

  /** The host a decode instance fetches this engine's KV blocks from. */
  String kvTransferHost();

  /** The port a decode instance fetches this engine's KV blocks from. */
  int kvTransferPort();

  /** The output length after which the simulated model emits EOS, for a new request. */
  int drawOutputLength(int maxTokens);

  /**
   * Fault injection: whether streams end where their first token would be, cleanly but
   * without a token, a finish reason or {@code [DONE]}, as an engine that crashes mid-answer
   * leaves them.
   */
  default boolean truncatesStreams() {
    return false;
  }
}
