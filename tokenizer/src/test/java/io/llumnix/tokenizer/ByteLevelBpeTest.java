package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java byte-level BPE gives exactly the ids of HuggingFace's native tokenizer for Qwen3's
 * vocabulary: the engine hashes the ids the gateway sends for prefix caching, so one id off is a
 * cache miss, and a wrong id is a wrong prompt.
 */
class ByteLevelBpeTest {

  private static final HuggingFaceTokenizer QWEN3 =
      (HuggingFaceTokenizer) TokenizerSource.DEFAULT.load();
  private static final ByteLevelBpe BPE = readQwen3();

  /** Pieces of text where pre-tokenizing and merging differ most: spacing, digits, scripts. */
  private static final List<String> PARTS = List.of("hello", " world", "Hello", "HELLO", "  ",
      " ", "   ", "\n", "\n\n", "\r\n", "\r", "\t", " \t ", "'s", "'LL", "'Re", "'d", "'", "123",
      "4", "1,000.50", ".", "...", "!?", ",", "😀", "👍🏽", "naïve", "漢字", "日本語のテキスト",
      "ё", "Привет", "مرحبا", "שלום", "ไทย", "한국어", "-", "_", "<", ">", "|", "{\"a\": 1}",
      "def f(x):\n    return x", "\u00a0", "\u2028", "\u3000", "e\u0301", "x", "ſ", "İ", "ß",
      "ﬁ", "\u200b", "Ω", "Å", "café", "ῼ", "𝔘𝔫𝔦", "\u0000", "\u007f", "\ufeff", "½", "²",
      "٣", "Ⅻ");

  private static ByteLevelBpe readQwen3() {
    try (InputStream in = new GZIPInputStream(HuggingFaceTokenizer.class.getResourceAsStream(
        "qwen3/tokenizer.json.gz"))) {
      return TokenizerJson.read(in).bpe();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void qwen3IsOfTheKindThisRuns() {
    assertThat(BPE).isNotNull();
  }

  @Test
  void idsEqualTheNativeTokenizersOnRandomTextsOfKnownPieces() {
    SplittableRandom random = new SplittableRandom(11);
    for (int n = 0; n < 20_000; n++) {
      assertSameIds(RandomTexts.of(random, PARTS, 16));
    }
  }

  @Test
  void idsEqualTheNativeTokenizersOnRandomCharacters() {
    SplittableRandom random = new SplittableRandom(13);
    int leftToNative = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(24);
      for (int i = 0; i < length; i++) {
        int kind = random.nextInt(4);
        int c = switch (kind) {
          case 0 -> 0x20 + random.nextInt(0x5f); // ASCII
          case 1 -> 0xa0 + random.nextInt(0x2e00); // Latin to punctuation and symbols
          case 2 -> 0x3000 + random.nextInt(0x7000); // CJK
          default -> random.nextInt(0x30000);
        };
        if (Character.isSurrogate((char) c) || !Character.isDefined(c)) {
          continue;
        }
        text.appendCodePoint(c);
      }
      leftToNative += assertSameIds(text.toString()) ? 0 : 1;
    }
    assertThat(leftToNative).as("texts not in NFC, left to the native tokenizer")
        .isLessThan(2_000);
  }

  @Test
  void aLoneSurrogateIsLeftToTheNativeTokenizer() {
    for (String text : List.of("a\ud800b", "x\udc00", "\ud83d", "\ude00\ud83d")) {
      assertThat(BPE.encode(text)).as("ids of %s", text).isNull();
    }
    String paired = "ok \ud83d\ude00";
    assertThat(BPE.encode(paired)).containsExactly(QWEN3.encodeWhole(paired));
  }

  @Test
  void qwen3AgreesWithTheNativeTokenizerAndADifferentTokenizerDoesNot() {
    assertThat(BPE.agreesWith(QWEN3::encodeWhole)).isTrue();
    assertThat(BPE.agreesWith(text -> new int[] {text.length()})).isFalse();
  }

  @Test
  void aTokenizerWithoutAddedTokensEncodesAllTextInJava(@TempDir Path folder) throws IOException {
    ObjectNode json;
    try (InputStream in = new GZIPInputStream(HuggingFaceTokenizer.class.getResourceAsStream(
        "qwen3/tokenizer.json.gz"))) {
      json = (ObjectNode) new ObjectMapper().readTree(in);
    }
    json.putArray("added_tokens");
    new ObjectMapper().writeValue(folder.resolve("tokenizer.json").toFile(), json);
    HuggingFaceTokenizer plain = HuggingFaceTokenizer.fromFolder(folder);
    assertThat(plain.segmented()).isFalse();
    assertThat(plain.encodesInJava()).isTrue();
    for (String text : List.of("<|im_start|>user\nHello, world!<|im_end|>", "naïve 漢字 😀",
        "e\u0301 not in NFC", "lone \ud800 surrogate")) {
      assertThat(plain.encode(text)).as(text).containsExactly(plain.encodeWhole(text));
    }
  }

  @Test
  void aVocabularyWhoseMergesAreNotInIdOrderIsNotRunHere() throws IOException {
    // "ab" is merged before "bc" but has the higher id: tiktoken's rule would merge "bc" first.
    String json = "{\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\","
        + "\"add_prefix_space\":false,\"use_regex\":true},\"model\":{\"type\":\"BPE\","
        + "\"dropout\":null,\"byte_fallback\":false,\"vocab\":{\"a\":0,\"b\":1,\"c\":2,"
        + "\"bc\":3,\"ab\":4},\"merges\":[\"a b\",\"b c\"]}}";
    assertThat(TokenizerJson.read(stream(json)).bpe()).isNull();
    String inIdOrder = json.replace("\"a b\",\"b c\"", "\"b c\",\"a b\"");
    assertThat(TokenizerJson.read(stream(inIdOrder)).bpe())
        .as("the same vocabulary with its merges in id order").isNotNull();
  }

  @Test
  void otherModelsAndPreTokenizersAreNotRunHere() throws IOException {
    String bpe = "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"byte_fallback\":false,"
        + "\"vocab\":{\"a\":0},\"merges\":[]}";
    assertThat(TokenizerJson.read(stream("{\"pre_tokenizer\":{\"type\":\"Whitespace\"}," + bpe
        + "}")).bpe()).isNull();
    assertThat(TokenizerJson.read(stream("{\"normalizer\":{\"type\":\"Lowercase\"},"
        + "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"use_regex\":true}," + bpe + "}")).bpe())
        .isNull();
    assertThat(TokenizerJson.read(stream("{\"pre_tokenizer\":{\"type\":\"ByteLevel\","
        + "\"add_prefix_space\":true}," + bpe + "}")).bpe()).isNull();
    assertThat(TokenizerJson.read(stream("{\"pre_tokenizer\":{\"type\":\"ByteLevel\"},"
        + bpe.replace("\"byte_fallback\":false", "\"byte_fallback\":true") + "}")).bpe()).isNull();
    assertThat(TokenizerJson.read(stream("{\"pre_tokenizer\":{\"type\":\"ByteLevel\"},"
        + "\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"a\":0}}}")).bpe()).isNull();
  }

  /**
   * The same ids as the native tokenizer's, or none where this leaves the text to it (true when
   * compared).
   */
  private static boolean assertSameIds(String text) {
    int[] ids = BPE.encode(text);
    if (ids == null) {
      assertThat(Normalizer.isNormalized(text, Normalizer.Form.NFC)).as("%s is not in NFC",
          text).isFalse();
      return false;
    }
    assertThat(ids).as("ids of %s", text.codePoints().mapToObj(Integer::toHexString).toList())
        .containsExactly(QWEN3.encodeWhole(text));
    return true;
  }

  private static InputStream stream(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }
}
