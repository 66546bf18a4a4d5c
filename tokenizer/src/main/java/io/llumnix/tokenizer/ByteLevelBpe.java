package io.llumnix.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The model of a byte-level BPE {@code tokenizer.json} (GPT-2's scheme, which Qwen, Llama 3 and
 * many others use) run in Java by jtokkit, the tiktoken port, instead of through DJL's native
 * library: a 64-word prompt costs about a tenth of the native call, which copies the text across
 * JNI and back.
 *
 * <p>jtokkit merges by tiktoken's rule: of all adjacent pairs, the one whose concatenation has
 * the lowest id. HuggingFace merges by the order of its merge list. The two agree when each merge
 * makes a token with a higher id than the merge before it, as in vocabularies converted from
 * tiktoken (Qwen's); {@link #of} accepts only such files, with a normalizer of NFC or none and
 * a pre-tokenizer of one regex split (or GPT-2's own) before the byte mapping, and
 * {@link #agreesWith} compares the result with the native tokenizer's on sample texts.
 */
final class ByteLevelBpe {

  /** GPT-2's pre-tokenizing regex, used by {@code ByteLevel} with {@code use_regex}. */
  private static final String GPT2_REGEX =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  private static final List<String> SAMPLES = List.of("Hello, world! It's 2026 -- isn't it?",
      "  leading spaces\n\n\ttabs\r\nand 12345 digits ...!?", "def f(x):\n    return x + 1\n",
      "naïve café 😀 漢字 Привет مرحبا", "'S 'LL 'RE's\u00a0\u3000 x");

  private final Encoding encoding;
  private final boolean nfc;

  private ByteLevelBpe(Encoding encoding, boolean nfc) {
    this.encoding = encoding;
    this.nfc = nfc;
  }

  /**
   * The tokenizer of a {@code tokenizer.json}'s normalizer, pre-tokenizer and model (each null
   * when the file has none), or null when one is not of the kind this runs exactly.
   */
  static @Nullable ByteLevelBpe of(@Nullable JsonNode normalizer, @Nullable JsonNode preTokenizer,
      @Nullable Model model) {
    Boolean nfc = nfc(normalizer);
    String regex = regex(preTokenizer);
    Map<byte[], Integer> ranks = model == null ? null : model.ranks();
    if (nfc == null || regex == null || ranks == null) {
      return null;
    }
    try {
      Pattern pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
      Encoding encoding = Encodings.newLazyEncodingRegistry().registerGptBytePairEncoding(
          new GptBytePairEncodingParams("tokenizer.json", pattern, ranks, Map.of()))
          .getEncoding("tokenizer.json").orElseThrow();
      return new ByteLevelBpe(encoding, nfc);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return null; // a regex Java reads otherwise, or ranks jtokkit does not take
    }
  }

  /**
   * The ids of {@code text}, which holds no added token; null for text this does not encode as
   * the native library does, which the caller then gives to it: text with a lone surrogate
   * (read there as U+FFFD, here as '?'), and, when the tokenizer normalizes, text not in NFC
   * already (the two have Unicode tables of different ages, which order the combining marks of
   * characters added in between differently; text in NFC is the same text under both).
   */
  int @Nullable [] encode(String text) {
    boolean beyondLatin = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x300) {
        continue; // nothing below U+0300 composes
      }
      beyondLatin = true;
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return null;
      }
    }
    if (nfc && beyondLatin && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
      return null;
    }
    return encoding.encodeOrdinary(text).toArray();
  }

  /**
   * Whether this gives {@code reference}'s ids (the native tokenizer's) for a few texts of many
   * kinds: a last check, at load, that the file's rules are the ones this runs.
   */
  boolean agreesWith(Function<String, int[]> reference) {
    for (String sample : SAMPLES) {
      if (!Arrays.equals(encode(sample), reference.apply(sample))) {
        return false;
      }
    }
    return true;
  }

  /** True for NFC, false for no normalizer, null for any other. */
  private static @Nullable Boolean nfc(@Nullable JsonNode normalizer) {
    if (normalizer == null || normalizer.isNull()) {
      return false;
    }
    return "NFC".equals(normalizer.path("type").asText()) ? Boolean.TRUE : null;
  }

  /** The regex that splits text before the byte mapping, or null for any other pre-tokenizer. */
  private static @Nullable String regex(@Nullable JsonNode preTokenizer) {
    if (preTokenizer == null) {
      return null;
    }
    if (isByteLevel(preTokenizer)) {
      return preTokenizer.path("use_regex").asBoolean(true) ? GPT2_REGEX : null;
    }
    JsonNode steps = preTokenizer.path("pretokenizers");
    if (!"Sequence".equals(preTokenizer.path("type").asText()) || steps.size() != 2) {
      return null;
    }
    JsonNode split = steps.get(0);
    JsonNode byteLevel = steps.get(1);
    boolean splitsAsTiktoken = "Split".equals(split.path("type").asText())
        && "Isolated".equals(split.path("behavior").asText())
        && !split.path("invert").asBoolean(false) && split.path("pattern").has("Regex");
    if (!splitsAsTiktoken || !isByteLevel(byteLevel)
        || byteLevel.path("use_regex").asBoolean(true)) {
      return null;
    }
    return split.path("pattern").path("Regex").asText();
  }

  private static boolean isByteLevel(JsonNode step) {
    return "ByteLevel".equals(step.path("type").asText())
        && !step.path("add_prefix_space").asBoolean(false);
  }

  /** A BPE model's vocabulary and its merges, each merge as the token it makes. */
  record Model(boolean plain, Map<String, Integer> vocab, List<String> merged) {

    static Model read(JsonParser parser) throws IOException {
      boolean plain = true;
      Map<String, Integer> vocab = new HashMap<>();
      List<String> merged = new ArrayList<>();
      if (parser.currentToken() != JsonToken.START_OBJECT) {
        parser.skipChildren();
        return new Model(false, vocab, merged);
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "type" -> plain &= "BPE".equals(parser.getText());
          case "dropout" -> plain &= value == JsonToken.VALUE_NULL;
          case "byte_fallback" -> plain &= value == JsonToken.VALUE_FALSE;
          case "continuing_subword_prefix", "end_of_word_suffix" ->
              plain &= value == JsonToken.VALUE_NULL || parser.getText().isEmpty();
          case "vocab" -> {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String token = parser.currentName();
              parser.nextToken();
              vocab.put(token, parser.getIntValue());
            }
          }
          case "merges" -> {
            while (parser.nextToken() != JsonToken.END_ARRAY) {
              merged.add(merge(parser));
            }
          }
          default -> parser.skipChildren();
        }
      }
      return new Model(plain, vocab, merged);
    }

    /** The token a merge makes: {@code "a b"} or {@code ["a", "b"]} gives {@code "ab"}. */
    private static String merge(JsonParser parser) throws IOException {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        return parser.getText().replace(" ", "");
      }
      StringBuilder token = new StringBuilder();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        token.append(parser.getText());
      }
      return token.toString();
    }

    /**
     * Each token's bytes and id, as tiktoken's ranks; null when the model is not plain BPE,
     * a token is not in the byte mapping, or the merges do not make ever higher ids.
     */
    @Nullable Map<byte[], Integer> ranks() {
      if (!plain || vocab.isEmpty()) {
        return null;
      }
      int last = -1;
      for (String token : merged) {
        Integer id = vocab.get(token);
        if (id == null || id <= last) {
          return null;
        }
        last = id;
      }
      Map<byte[], Integer> ranks = new HashMap<>(vocab.size() * 2);
      for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
        byte[] bytes = ByteMapping.bytes(entry.getKey());
        if (bytes == null) {
          return null;
        }
        ranks.put(bytes, entry.getValue());
      }
      return ranks;
    }
  }

  /** GPT-2's mapping of the 256 bytes onto printable characters, read backwards. */
  static final class ByteMapping {

    /** The byte each character stands for, or -1. */
    private static final short[] BYTE_OF = new short[324];

    static {
      Arrays.fill(BYTE_OF, (short) -1);
      int next = 256;
      for (int b = 0; b < 256; b++) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        BYTE_OF[printable ? b : next++] = (short) b;
      }
    }

    private ByteMapping() {}

    /** The bytes {@code token} stands for, or null when a character maps to none. */
    static byte @Nullable [] bytes(String token) {
      byte[] bytes = new byte[token.length()];
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c >= BYTE_OF.length || BYTE_OF[c] < 0) {
          return null;
        }
        bytes[i] = (byte) BYTE_OF[c];
      }
      return bytes;
    }
  }
}
