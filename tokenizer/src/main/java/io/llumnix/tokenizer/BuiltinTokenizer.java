package io.llumnix.tokenizer;

import java.util.Arrays;

/**
 * A fast deterministic tokenizer with BPE-like counts for English text: a leading space joins
 * the next word, words are cut into pieces of at most six letters, and every other
 * character is a token of its own. A piece's id is a hash of its text, so equal prefixes give
 * equal ids (which is what prefix caching needs).
 */
public final class BuiltinTokenizer implements Tokenizer {

  /** Qwen2's vocabulary size. */
  public static final int VOCAB_SIZE = 151_936;
  private static final int MAX_PIECE = 6;

  @Override
  public int[] encode(String text) {
    int[] ids = new int[Math.max(4, text.length() / 3 + 1)];
    int count = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      char c = text.charAt(i);
      if (c == ' ' && i + 1 < n && Character.isLetterOrDigit(text.charAt(i + 1))) {
        i++; // the space belongs to the word after it
      }
      if (Character.isLetterOrDigit(text.charAt(i))) {
        int letters = i;
        int end = i;
        while (end < n && Character.isLetterOrDigit(text.charAt(end))
            && end - letters < MAX_PIECE) {
          end++;
        }
        i = end;
      } else {
        i++;
      }
      if (count == ids.length) {
        ids = Arrays.copyOf(ids, ids.length * 2);
      }
      ids[count++] = pieceId(text, start, i);
    }
    return Arrays.copyOf(ids, count);
  }

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  private static int pieceId(String text, int start, int end) {
    int h = 0x811C9DC5;
    for (int i = start; i < end; i++) {
      h = (h ^ text.charAt(i)) * 0x01000193;
    }
    return Math.floorMod(h, VOCAB_SIZE);
  }
}
