package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Encoding piece by piece between added tokens, with the pieces cached, gives exactly the ids
 * of encoding the whole text at once: the ids must match the engine's, which hashes them for
 * prefix caching.
 */
class SegmentCacheTest {

  private static final HuggingFaceTokenizer QWEN3 =
      (HuggingFaceTokenizer) TokenizerSource.DEFAULT.load();

  /** Pieces random texts are made of: words, spacing, punctuation, scripts, added tokens. */
  private static final List<String> PARTS = List.of("hello", " world", "Hello", "  ", " ", "\n",
      "\n\n", "\r\n", "\t", "'s", "'LL", "123", "4", ".", "...", "!?", "😀", "naïve", "漢字",
      "ё", "-", "_", "<", ">", "|", "<|", "|>", "<|im_start|>", "<|im_end|>", "<think>",
      "</think>", "<|endoftext|>", "<tool_call>", "<|im_start", "im_end|>", "user", "assistant",
      "\u00a0", "\u2028", "e\u0301", "x");

  @Test
  void segmentedIdsEqualWholeTextIdsOnRandomTexts() {
    assertThat(QWEN3.segmented()).as("Qwen3's added tokens allow segmenting").isTrue();
    assertThat(QWEN3.encodesInJava()).as("Qwen3's text between added tokens is encoded in Java")
        .isTrue();
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 3000; n++) {
      String t = RandomTexts.of(random, PARTS, 24);
      assertThat(QWEN3.encode(t)).as("ids of %s", t).containsExactly(QWEN3.encodeWhole(t));
      // A second time, from the cache.
      assertThat(QWEN3.encode(t)).as("cached ids of %s", t).containsExactly(QWEN3.encodeWhole(t));
    }
  }

  @Test
  void aConversationResentWithOneMoreTurnEncodesAsAWhole() {
    String turns = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?"
        + "<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n";
    String next = turns + "<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n";
    assertThat(QWEN3.encode(turns)).containsExactly(QWEN3.encodeWhole(turns));
    assertThat(QWEN3.encode(next)).containsExactly(QWEN3.encodeWhole(next));
  }

  @Test
  void theCallersArrayIsItsOwn() {
    int[] first = QWEN3.encode("no added token here");
    first[0] = -1;
    assertThat(QWEN3.encode("no added token here")[0]).isNotEqualTo(-1);
  }

  @Test
  void tokensThatStripOrNormalizeTurnSegmentingOff() throws Exception {
    String json = "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":1,\"content\":\"<s>\","
        + "\"special\":true,\"lstrip\":true,\"rstrip\":false,\"single_word\":false,"
        + "\"normalized\":false}],\"model\":{\"vocab\":{\"a\":0}}}";
    AddedTokens stripping = TokenizerJson.read(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).addedTokens();
    assertThat(stripping.ids()).containsEntry("<s>", 1);
    assertThat(stripping.exact()).isFalse();
    assertThat(SegmentCache.of(stripping.ids(), stripping.exact(), QWEN3::encodeWhole,
        QWEN3::encodeWhole)).isNull();

    // Without the flag a non-special token is normalized, as in HuggingFace's tokenizers.
    AddedTokens unflagged = TokenizerJson.read(new ByteArrayInputStream(
        "{\"added_tokens\":[{\"id\":5,\"content\":\"<x>\",\"special\":false}]}"
            .getBytes(StandardCharsets.UTF_8))).addedTokens();
    assertThat(unflagged.exact()).isFalse();
  }

  @Test
  void aTokenizerWhoseSplitIsNotWhatItDoesIsNotSegmented() {
    // An encoder that is not segment-wise (it counts the text's characters as one id) fails
    // the sample check, so no cache is made.
    Map<String, Integer> added = new HashMap<>(Map.of("<|im_end|>", 1));
    Function<String, int[]> length = text -> new int[] {text.length()};
    assertThat(SegmentCache.of(added, true, length, length)).isNull();
  }
}
