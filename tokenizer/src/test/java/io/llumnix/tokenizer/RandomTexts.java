package io.llumnix.tokenizer;

import java.util.List;
import java.util.SplittableRandom;

/** Random texts built of known pieces, for the tests that compare ids with the native ones. */
final class RandomTexts {

  private RandomTexts() {}

  /** One to {@code maxPieces} pieces of {@code pieces}, chosen by {@code random}. */
  static String of(SplittableRandom random, List<String> pieces, int maxPieces) {
    StringBuilder text = new StringBuilder();
    int count = 1 + random.nextInt(maxPieces);
    for (int p = 0; p < count; p++) {
      text.append(pieces.get(random.nextInt(pieces.size())));
    }
    return text.toString();
  }
}
