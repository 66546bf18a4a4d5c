package io.llumnix.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the Java side needs of a {@code tokenizer.json}, read in one streaming pass: the file is
 * megabytes (Qwen3's vocabulary and merges), and DJL's native library reads it once already.
 *
 * @param addedTokens the file's added tokens
 * @param bpe its model run in Java, or null when the file's rules are not the kind that runs
 */
record TokenizerJson(AddedTokens addedTokens, @Nullable ByteLevelBpe bpe) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static TokenizerJson read(InputStream in) throws IOException {
    JsonNode added = null;
    JsonNode normalizer = null;
    JsonNode preTokenizer = null;
    ByteLevelBpe.Model model = null;
    try (JsonParser parser = new JsonFactory().createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return new TokenizerJson(new AddedTokens(Map.of(), false), null);
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "added_tokens" -> added = JSON.readTree(parser);
          case "normalizer" -> normalizer = JSON.readTree(parser);
          case "pre_tokenizer" -> preTokenizer = JSON.readTree(parser);
          case "model" -> model = ByteLevelBpe.Model.read(parser);
          default -> parser.skipChildren();
        }
      }
    }
    return new TokenizerJson(AddedTokens.of(added == null ? JSON.createArrayNode() : added),
        ByteLevelBpe.of(normalizer, preTokenizer, model));
  }
}
