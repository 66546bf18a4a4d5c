package io.llumnix.enginesim;

import java.util.SplittableRandom;

/**
 * How long an engine's answers run when the request does not pin it ({@code ignore_eos}):
 * exponential around {@code --output-length-mean} (most answers short, a few long), or
 * {@code max_tokens} when the mean is 0. Seeded per instance, so a run repeats.
 */
final class OutputLengths {

  private final double mean;
  private final SplittableRandom random;

  OutputLengths(double mean, long seed) {
    this.mean = mean;
    this.random = new SplittableRandom(seed);
  }

  /** The next answer's length, at most {@code maxTokens}. */
  int draw(int maxTokens) {
    if (mean <= 0) {
      return maxTokens;
    }
    return (int) Math.min(maxTokens, 1 + Math.floor(-mean * Math.log(1 - random.nextDouble())));
  }
}
