package io.llumnix.kvs.hash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * The test vectors of {@code src/test/resources/hash/vectors.json}, written by {@code
 * src/test/python/hash_vectors.py} from independent Python implementations.
 */
final class HashVectors {

  private static final JsonNode ROOT = load();

  private HashVectors() {}

  static List<JsonNode> cases(String section) {
    return StreamSupport.stream(ROOT.get(section).spliterator(), false).toList();
  }

  /** The prompt a case names; uint32 ids become (possibly negative) ints. */
  static int[] prompt(JsonNode testCase) {
    String name = testCase.get("prompt").asText();
    if (name.equals("rule30000")) {
      int[] tokens = new int[30000];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = i * 7919 % 128256;
      }
      return tokens;
    }
    return ints(ROOT.get("prompts").get(name));
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) array.get(i).asLong();
    }
    return out;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(item -> out.add(item.asText()));
    return out;
  }

  private static JsonNode load() {
    try (InputStream in = HashVectors.class.getResourceAsStream("/hash/vectors.json")) {
      if (in == null) {
        throw new IllegalStateException("hash/vectors.json is not on the test classpath");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
