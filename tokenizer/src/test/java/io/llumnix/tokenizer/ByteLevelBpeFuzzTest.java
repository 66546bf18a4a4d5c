package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Qwen3's tokenizer as the gateway runs it (text split at added tokens, the pieces encoded in
 * Java by {@link ByteLevelBpe} or natively, through the segment cache) gives, for any text, the
 * ids of one call into HuggingFace's native library: an id off is a different prompt. The
 * inputs under {@code ByteLevelBpeFuzzTestInputs/} are prompts of several scripts.
 */
class ByteLevelBpeFuzzTest {

  private static final HuggingFaceTokenizer QWEN3 =
      (HuggingFaceTokenizer) TokenizerSource.DEFAULT.load();

  @FuzzTest(maxDuration = "20s")
  @Timeout(10)
  void encodesAsTheNativeTokenizer(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    assertThat(QWEN3.encode(text)).as("ids of %s",
        text.codePoints().mapToObj(Integer::toHexString).toList())
        .containsExactly(QWEN3.encodeWhole(text));
  }
}
