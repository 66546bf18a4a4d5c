package io.llumnix.enginesim.core;

import org.jspecify.annotations.Nullable;

/**
 * Whether the token a request just sampled ends it, by vLLM's rules in vLLM's order: a stop
 * token id or a stop string (once {@code min_tokens} are out), the simulated model's EOS at
 * the drawn output length, then {@code max_tokens} or the model's length. A stop string is not
 * part of the output, so the token's visible text can shrink: {@link #visibleText()}. One per
 * engine, reused for every token (no allocation); not thread-safe.
 */
final class StopRules {

  private final int maxModelLen;
  private String visibleText = "";

  StopRules(int maxModelLen) {
    this.maxModelLen = maxModelLen;
  }

  /**
   * The reason {@code request} ends with the token {@code token} (text {@code text}) it just
   * counted, or null; sets the request's stop reason when a stop rule matched.
   */
  @Nullable FinishReason check(SimRequest request, int token, String text) {
    visibleText = text;
    if (request.numOutput < request.quietUntil) {
      return null; // the common case, decided from two fields the step has just read
    }
    FinishReason reason = null;
    if (request.numOutput >= request.minTokens()) {
      for (int stopId : request.stopTokenIds()) {
        if (stopId == token) {
          request.stopReason = stopId;
          reason = FinishReason.STOP;
        }
      }
      StringBuilder output = request.outputText;
      if (reason == null && output != null) {
        output.append(text);
        for (String stop : request.stop()) {
          int at = output.indexOf(stop,
              Math.max(0, output.length() - text.length() - stop.length()));
          if (at >= 0) {
            // The stop string is not part of the output: send only what precedes it.
            visibleText = text.substring(0, Math.max(0, text.length() - (output.length() - at)));
            request.stopReason = stop;
            reason = FinishReason.STOP;
            break;
          }
        }
      }
      if (reason == null && request.numOutput >= request.outputLength()
          && request.numOutput < request.maxTokens()) {
        reason = FinishReason.STOP; // the simulated model emitted EOS
      }
    }
    if (reason == null && (request.numOutput >= request.maxTokens()
        || request.numTokens >= maxModelLen)) {
      reason = FinishReason.LENGTH;
    }
    return reason;
  }

  /**
   * The output count below which no rule can end {@code request}: EOS, {@code max_tokens} and
   * the model's length are known counts; a stop token or string can match any token. Worked
   * out as the request enters the engine, not in {@link #check}: even run once per request
   * there, it made every token's check slower (a 200k-request simulation by 8%), the JIT
   * compiling the larger method less well.
   */
  int quietUntil(SimRequest request) {
    if (request.stopTokenIds().length > 0 || request.outputText != null) {
      return 0;
    }
    return request.plannedOutputTokens(maxModelLen);
  }

  /** The last checked token's text as the client sees it. */
  String visibleText() {
    return visibleText;
  }
}
