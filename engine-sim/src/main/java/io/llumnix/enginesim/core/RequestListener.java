package io.llumnix.enginesim.core;

/**
 * Receives one request's output on the engine's thread. Times are simulated nanoseconds.
 */
public interface RequestListener {

  /** A new output token was sampled; {@code text} is its detokenized text. */
  void onToken(SimRequest request, String text, long timeNanos);

  /**
   * The request finished. Called once, after its last {@link #onToken}; the request's counts and
   * {@link SimRequest#stopReason()} are final.
   */
  void onFinish(SimRequest request, FinishReason reason, long timeNanos);
}
