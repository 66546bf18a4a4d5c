package io.llumnix.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
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

  AddedTokens {
    ids = Map.copyOf(ids);
  }

  /** The added tokens of a {@code tokenizer.json}, its {@code added_tokens} array. */
  static AddedTokens of(JsonNode tokens) {
    Map<String, Integer> ids = new HashMap<>();
    boolean exact = true;
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
    return new AddedTokens(ids, exact);
  }
}
