package io.llumnix.bench.trace;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request of a trace. Errors name the field as the JSON form spells it, since that is
 * where a bad value usually comes from.
 *
 * @param arrivalMs when the request arrives, in milliseconds from the start of the trace
 * @param promptTokens the prompt's length in tokens
 * @param outputTokens how many tokens the request generates (replayed with ignore_eos)
 * @param promptTokenIds the prompt itself, when known; then exactly {@code promptTokens} long
 * @param prefixId names the shared prefix the prompt starts with, e.g. {@code g3}
 * @param prefixTokens the length of that prefix, at most {@code promptTokens} (0: none)
 * @param sessionId the conversation the request belongs to, when known
 */
public record TraceEntry(double arrivalMs, int promptTokens, int outputTokens,
    int @Nullable [] promptTokenIds, @Nullable String prefixId, int prefixTokens,
    @Nullable String sessionId) {

  public TraceEntry {
    check(arrivalMs >= 0 && Double.isFinite(arrivalMs), "arrival_ms", arrivalMs,
        "finite, >= 0");
    check(promptTokens >= 1, "prompt_tokens", promptTokens, ">= 1");
    check(outputTokens >= 1, "output_tokens", outputTokens, ">= 1");
    check(prefixTokens >= 0 && prefixTokens <= promptTokens, "prefix_tokens", prefixTokens,
        "0 to prompt_tokens = " + promptTokens);
    if (promptTokenIds != null) {
      check(promptTokenIds.length == promptTokens, "prompt_token_ids",
          promptTokenIds.length + " ids", "prompt_tokens = " + promptTokens + " ids");
    }
  }

  /** A request known only by its arrival and lengths. */
  public TraceEntry(double arrivalMs, int promptTokens, int outputTokens) {
    this(arrivalMs, promptTokens, outputTokens, null, null, 0, null);
  }

  private static void check(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: " + expected + ")");
    }
  }

  // A record compares arrays by identity; a trace read twice should be equal to itself.
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TraceEntry e && Double.compare(arrivalMs, e.arrivalMs) == 0
        && promptTokens == e.promptTokens && outputTokens == e.outputTokens
        && Arrays.equals(promptTokenIds, e.promptTokenIds) && Objects.equals(prefixId, e.prefixId)
        && prefixTokens == e.prefixTokens && Objects.equals(sessionId, e.sessionId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(arrivalMs, promptTokens, outputTokens, Arrays.hashCode(promptTokenIds),
        prefixId, prefixTokens, sessionId);
  }

  @Override
  public String toString() {
    return "TraceEntry[arrivalMs=" + arrivalMs + ", promptTokens=" + promptTokens
        + ", outputTokens=" + outputTokens + ", promptTokenIds="
        + Arrays.toString(promptTokenIds) + ", prefixId=" + prefixId + ", prefixTokens="
        + prefixTokens + ", sessionId=" + sessionId + "]";
  }
}
