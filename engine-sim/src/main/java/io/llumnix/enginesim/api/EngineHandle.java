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

  /** This engine's id in KV-transfer parameters. */
  String engineId();

  /** The host a decode instance fetches this engine's KV blocks from. */
  String kvTransferHost();

  /** The port a decode instance fetches this engine's KV blocks from. */
  int kvTransferPort();

  /** The output length after which the simulated model emits EOS, for a new request. */
  int drawOutputLength(int maxTokens);
}
