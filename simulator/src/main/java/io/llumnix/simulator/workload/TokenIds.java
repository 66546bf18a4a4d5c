package io.llumnix.simulator.workload;

import io.llumnix.enginesim.core.OutputWords;
import java.util.SplittableRandom;

/**
 * Prompt token ids for workloads that give only lengths: random ids, so that two prompts share
 * cached blocks exactly when they share a prefix on purpose (a tenant's, or a session's
 * history), never by accident.
 */
final class TokenIds {

  /** Above the ids the simulated engine outputs, below a real vocabulary's size. */
  private static final int FIRST = OutputWords.FIRST_TOKEN_ID + OutputWords.size();
  private static final int LAST = 150_000;

  private TokenIds() {}

  /** Fills {@code ids[from, to)} from {@code seed}. */
  static void fill(int[] ids, int from, int to, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = from; i < to; i++) {
      ids[i] = random.nextInt(FIRST, LAST);
    }
  }

  /** The token ids the simulated engine outputs for a request with {@code outputSeed}. */
  static void output(int[] ids, int from, int count, long outputSeed) {
    for (int i = 0; i < count; i++) {
      ids[from + i] = OutputWords.tokenId(OutputWords.wordIndex(outputSeed, i));
    }
  }

  /** A seed for stream {@code index} of a run seeded {@code seed}. */
  static long seed(long seed, long index) {
    return OutputWords.mix(seed * 0x9E3779B97F4A7C15L + index);
  }
}
