package io.llumnix.tokenizer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Remembers the token ids of the text between a tokenizer's added tokens ({@code <|im_start|>},
 * {@code <think>}, ...). A HuggingFace tokenizer splits its input at added tokens before it
 * normalizes, pre-tokenizes and runs its model on each piece, so the pieces are tokenized
 * independently and their ids can be kept: a chat prompt is one piece per message, and a
 * conversation resent with one more turn, or a system prompt every request shares, costs only
 * its new message. Only for tokenizers whose added tokens match the raw text exactly (no
 * stripping, no single-word rule, not normalized); {@link #of} checks that and a few sample
 * texts against the tokenizer itself, and gives null when segmenting could change a result.
 * Thread-safe; bounded by {@link #MAX_WEIGHT} (about bytes of text and ids).
 */
final class SegmentCache {

  /** About 16 MiB of text and ids. */
  static final long MAX_WEIGHT = 16L * 1024 * 1024;

  /** Texts whose segmented ids must equal the tokenizer's own, or segmenting is not used. */
  private static final List<String> SAMPLES = List.of(
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi there!<|im_end|>\n",
      " leading space<|im_end|> trailing  \n\n<|im_start|>assistant\n",
      "<think>\n\n</think>\n\nAnswer: 42 ... 'quoted' 😀 naïve 漢字",
      "a<|im_end|><|im_start|>b",
      "  <|endoftext|>  \r\n\t x");

  private final Map<String, Integer> addedTokens;
  /** Added tokens by their first character, longest first (leftmost-longest matching). */
  private final String[][] byFirstChar;
  private final Function<String, int[]> encoder;
  private final Cache<String, int[]> segments;

  private SegmentCache(Map<String, Integer> addedTokens, Function<String, int[]> encoder) {
    this.addedTokens = Map.copyOf(addedTokens);
    this.encoder = encoder;
    List<List<String>> firsts = new ArrayList<>();
    for (int c = 0; c < 128; c++) {
      firsts.add(new ArrayList<>());
    }
    for (String token : addedTokens.keySet()) {
      char first = token.charAt(0);
      if (first >= 128) {
        throw new IllegalArgumentException("added token " + token + " starts beyond ASCII");
      }
      firsts.get(first).add(token);
    }
    this.byFirstChar = new String[128][];
    for (int c = 0; c < 128; c++) {
      List<String> tokens = firsts.get(c);
      tokens.sort((a, b) -> b.length() - a.length());
      byFirstChar[c] = tokens.isEmpty() ? null : tokens.toArray(String[]::new);
    }
    this.segments = Caffeine.newBuilder().maximumWeight(MAX_WEIGHT)
        .<String, int[]>weigher((text, ids) -> 2 * text.length() + 4 * ids.length + 64)
        .build();
  }

  /**
   * A cache over {@code encoder}, or null when the added tokens could match other than exactly,
   * or when segmenting changes the ids of a sample.
   *
   * @param addedTokens each added token's content and id; only exact-match ones
   * @param exact whether every added token matches the raw text exactly
   * @param encoder the ids of a text without added tokens
   * @param whole the tokenizer's own ids of any text, which segmenting must reproduce
   */
  static @Nullable SegmentCache of(Map<String, Integer> addedTokens, boolean exact,
      Function<String, int[]> encoder, Function<String, int[]> whole) {
    if (!exact || addedTokens.isEmpty()) {
      return null;
    }
    for (String token : addedTokens.keySet()) {
      if (token.isEmpty() || token.charAt(0) >= 128) {
        return null;
      }
    }
    SegmentCache cache = new SegmentCache(addedTokens, encoder);
    for (String sample : SAMPLES) {
      if (!Arrays.equals(cache.encode(sample), whole.apply(sample))) {
        return null;
      }
    }
    cache.segments.invalidateAll();
    return cache;
  }

  /** The ids of {@code text}: its segments' from the cache, its added tokens' directly. */
  int[] encode(String text) {
    int[] out = null;
    int length = 0;
    int segmentStart = 0;
    int i = 0;
    while (i < text.length()) {
      String token = tokenAt(text, i);
      if (token == null) {
        i++;
        continue;
      }
      if (i > segmentStart) {
        int[] ids = segment(text.substring(segmentStart, i));
        out = grow(out, length, ids.length + 1);
        System.arraycopy(ids, 0, out, length, ids.length);
        length += ids.length;
      }
      out = grow(out, length, 1);
      out[length++] = addedTokens.get(token);
      i += token.length();
      segmentStart = i;
    }
    if (out == null) {
      return segment(text).clone(); // no added token: one segment, not shared with the cache
    }
    if (segmentStart < text.length()) {
      int[] ids = segment(text.substring(segmentStart));
      out = grow(out, length, ids.length);
      System.arraycopy(ids, 0, out, length, ids.length);
      length += ids.length;
    }
    return length == out.length ? out : Arrays.copyOf(out, length);
  }

  private int[] segment(String text) {
    return segments.get(text, encoder);
  }

  private @Nullable String tokenAt(String text, int i) {
    char c = text.charAt(i);
    String[] candidates = c < 128 ? byFirstChar[c] : null;
    if (candidates != null) {
      for (String token : candidates) {
        if (text.startsWith(token, i)) {
          return token;
        }
      }
    }
    return null;
  }

  private static int[] grow(int @Nullable [] out, int length, int more) {
    if (out == null) {
      return new int[Math.max(16, more * 2)];
    }
    return length + more <= out.length ? out : Arrays.copyOf(out, Math.max(out.length * 2,
        length + more));
  }
}
