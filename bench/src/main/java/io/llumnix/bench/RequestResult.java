package io.llumnix.bench;

import org.jspecify.annotations.Nullable;

/**
 * What one request measured. Times in milliseconds from its send; {@code error} names the kind of
 * failure ({@code http_429}, {@code connection}, {@code timeout}, {@code stream_error}, …) or is
 * null on success.
 *
 * @param itlMillis the gaps between consecutive content chunks
 */
public record RequestResult(int promptTokens, int outputTokens, double ttftMillis,
    double e2eMillis, double[] itlMillis, @Nullable String error) {

  /** Time per output token after the first, or NaN with fewer than two tokens. */
  public double tpotMillis() {
    return outputTokens > 1 ? (e2eMillis - ttftMillis) / (outputTokens - 1) : Double.NaN;
  }

  public boolean succeeded() {
    return error == null;
  }
}
