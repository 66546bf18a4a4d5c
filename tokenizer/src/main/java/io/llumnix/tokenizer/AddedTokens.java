package io.llumnix.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code added_tokens} of a {@code tokenizer.json}: each one's text and id, and whether all
 * of them match the raw text exactly (none strips whitespace around it, matches only whole
 * words, or matches the normalized text), which is when text can be split at them as the
 * tokenizer itself splits it.
 *
 * @param ids each added token's content and id
 * @param exact whether every added token matches exactly
 */
record AddedTokens(Map<String, Integer> ids, boolean exact) {

  private static final ObjectMapper JSON = new ObjectMapper();

  AddedTokens {
    ids = Map.copyOf(ids);
  }

  /** Reads the added tokens of the {@code tokenizer.json} in {@code in}, skipping the rest. */
  static AddedTokens read(InputStream in) throws IOException {
    Map<String, Integer> ids = new HashMap<>();
    boolean exact = true;
    try (JsonParser parser = new JsonFactory().createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return new AddedTokens(ids, false);
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (!field.equals("added_tokens")) {
          parser.skipChildren(); // the vocabulary and merges: megabytes not needed here
          continue;
        }
        JsonNode tokens = JSON.readTree(parser);
        for (JsonNode token : tokens) {
          String content = token.path("content").asText("");
          if (content.isEmpty() || !token.path("id").canConvertToInt()) {
            exact = false;
            continue;
          }
          ids.put(content, token.path("id").asInt());
          // As in HuggingFace's tokenizers, a token without the flag is normalized unless special.
          boolean normalized = token.has("normalized") ? token.get("normalized").asBoolean()
              : !token.path("special").asBoolean(false);
          exact &= !token.path("lstrip").asBoolean(false) && !token.path("rstrip").asBoolean(false)
              && !token.path("single_word").asBoolean(false) && !normalized;
        }
      }
    }
    return new AddedTokens(ids, exact);
  }
}
