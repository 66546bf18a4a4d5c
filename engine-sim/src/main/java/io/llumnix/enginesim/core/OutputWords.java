package io.llumnix.enginesim.core;

/**
 * The simulated model's output: token {@code i} of a request is a word picked by a hash of the
 * request's output seed and {@code i}, so the same prompt and seed always produce the same text.
 */
public final class OutputWords {

  /** The id of the first word; word {@code w} has token id {@code FIRST_TOKEN_ID + w}. */
  public static final int FIRST_TOKEN_ID = 1000;

  private static final String[] WORDS = (
      "the of and to in is was that for on with as by at from his her an which are were this be "
          + "has had it not they their one or all been have more when who can will there also "
          + "time first new would about some other into after two years its over than only most "
          + "such made then later these may used many where both between during under three "
          + "through while part known well city world people state long being since because "
          + "each same around work year still high four small system large before use second "
          + "early without water light model engine token cache block queue batch step memory "
          + "value number place order point river music field house power group stone line "
          + "north south east west game book song film story night day road form family found "
          + "late great little good right left open close start end make take give keep move")
      .split(" ");

  private OutputWords() {}

  /** The number of distinct output words. */
  public static int size() {
    return WORDS.length;
  }

  /** The word index of output token {@code index} of a request seeded with {@code seed}. */
  public static int wordIndex(long seed, int index) {
    long h = mix(seed + 0x9E3779B97F4A7C15L * (index + 1));
    // (h · n) / 2^64: uniform in [0, n) like h mod n, without a 64-bit division per token.
    return (int) Math.unsignedMultiplyHigh(h, WORDS.length);
  }

  /** The token id of word {@code wordIndex}. */
  public static int tokenId(int wordIndex) {
    return FIRST_TOKEN_ID + wordIndex;
  }

  /** The text of word {@code wordIndex}: the word with a leading space, as BPE decodes it. */
  public static String text(int wordIndex) {
    return TEXTS[wordIndex];
  }

  private static final String[] TEXTS = new String[WORDS.length];

  static {
    for (int i = 0; i < WORDS.length; i++) {
      TEXTS[i] = " " + WORDS[i];
    }
  }

  /** SplitMix64's finalizer: a cheap, well-spread 64-bit hash. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
