package io.llumnix.enginesim.core;

/**
 * What the engine core reports as it runs, for metrics. Called on the engine's thread; times are
 * simulated seconds.
 */
public interface EngineStats {

  /** After each step: queue sizes, KV usage, and the step's prompt plus generation tokens. */
  void onStep(int running, int waiting, double kvCacheUsage, int iterationTokens);

  /** A new request's prefix-cache lookup: tokens queried and tokens found. */
  void onPrefixCacheLookup(int queriedTokens, int hitTokens);

  /** A running request was preempted. */
  void onPreemption();

  /** A request's first token: its time to first token and its whole prompt length. */
  void onFirstToken(double ttftSeconds, int promptTokens);

  /** A later token: the inter-token latency. */
  void onDecodeToken(double itlSeconds);

  /** A request finished. */
  void onFinish(SimRequest request, FinishReason reason, double nowSeconds);

  /** Stats that drop everything, for tests of pure dynamics. */
  static EngineStats none() {
    return new EngineStats() {
      @Override public void onStep(int running, int waiting, double usage, int tokens) {}
      @Override public void onPrefixCacheLookup(int queried, int hits) {}
      @Override public void onPreemption() {}
      @Override public void onFirstToken(double ttft, int promptTokens) {}
      @Override public void onDecodeToken(double itl) {}
      @Override public void onFinish(SimRequest r, FinishReason reason, double now) {}
    };
  }
}
