package io.llumnix.bench.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads a trace line by line, so a trace of any length takes the memory of one line. Blank lines
 * are skipped and unknown fields ignored (a newer writer may add some). A bad line throws
 * {@link IllegalArgumentException} naming the file and line, e.g.
 * {@code trace.jsonl:7: output_tokens missing}; so does an arrival before the previous one,
 * since a replay cannot go back in time. I/O errors throw {@link UncheckedIOException}.
 */
public final class TraceReader implements Iterator<TraceEntry>, AutoCloseable {

  private final Path path;
  private final BufferedReader lines;
  private final @Nullable Function<String, int[]> tokenizer;
  private final ObjectMapper json = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private @Nullable String pending;
  private int lineNumber;
  private double lastArrivalMs;

  private TraceReader(Path path, BufferedReader lines,
      @Nullable Function<String, int[]> tokenizer) {
    this.path = path;
    this.lines = lines;
    this.tokenizer = tokenizer;
  }

  /** A reader of a trace that gives prompts as lengths or token ids. */
  public static TraceReader open(Path path) throws IOException {
    return open(path, null);
  }

  /**
   * A reader that also takes prompts as text ({@code "prompt": "..."}, instead of
   * {@code prompt_tokens}), tokenized by {@code tokenizer}: prompts that share text then share
   * token ids, and so cached blocks, as on a real engine.
   */
  public static TraceReader open(Path path, @Nullable Function<String, int[]> tokenizer)
      throws IOException {
    return new TraceReader(path, Files.newBufferedReader(path, StandardCharsets.UTF_8),
        tokenizer);
  }

  @Override
  public boolean hasNext() {
    try {
      while (pending == null) {
        String line = lines.readLine();
        if (line == null) {
          return false;
        }
        lineNumber++;
        if (!line.isBlank()) {
          pending = line;
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(path + ":" + (lineNumber + 1) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public TraceEntry next() {
    if (!hasNext()) {
      throw new NoSuchElementException(path + ": no more entries");
    }
    String line = pending;
    pending = null;
    try {
      TraceEntry entry = parse(line);
      if (entry.arrivalMs() < lastArrivalMs) {
        throw new IllegalArgumentException("arrival_ms: " + entry.arrivalMs()
            + " (expected: >= " + lastArrivalMs + ", the previous entry's)");
      }
      lastArrivalMs = entry.arrivalMs();
      return entry;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ":" + lineNumber + ": " + e.getMessage(), e);
    }
  }

  private TraceEntry parse(String line) {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad JSON: " + e.getOriginalMessage(), e);
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + node.getNodeType());
    }
    JsonNode arrival = required(node, "arrival_ms");
    if (!arrival.isNumber()) {
      throw new IllegalArgumentException("arrival_ms: " + arrival + " (expected: a number)");
    }
    JsonNode ids = optional(node, "prompt_token_ids");
    int @Nullable [] promptIds = ids == null ? null : tokenIds(ids);
    @Nullable String prompt = text(node, "prompt");
    if (promptIds == null && prompt != null) {
      if (tokenizer == null) {
        throw new IllegalArgumentException("prompt: given as text, but this reader has no "
            + "tokenizer (give prompt_tokens or prompt_token_ids)");
      }
      promptIds = tokenizer.apply(prompt);
    }
    JsonNode count = optional(node, "prompt_tokens");
    int promptTokens = count == null && promptIds != null ? promptIds.length
        : integer(required(node, "prompt_tokens"), "prompt_tokens");
    if (ids == null && promptIds != null && promptTokens != promptIds.length) {
      throw new IllegalArgumentException("prompt_tokens: " + promptTokens + " (expected: "
          + promptIds.length + ", the tokens of prompt; or leave prompt_tokens out)");
    }
    JsonNode prefixTokens = optional(node, "prefix_tokens");
    return new TraceEntry(arrival.doubleValue(), promptTokens,
        integer(required(node, "output_tokens"), "output_tokens"), promptIds,
        text(node, "prefix_id"), prefixTokens == null ? 0 : integer(prefixTokens,
            "prefix_tokens"), text(node, "session_id"));
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = optional(node, field);
    if (value == null) {
      throw new IllegalArgumentException(field + " missing");
    }
    return value;
  }

  /** The field's value, or null when it is absent or JSON null. */
  private static @Nullable JsonNode optional(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  private static int integer(JsonNode value, String field) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: an integer)");
    }
    return value.intValue();
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = optional(node, field);
    if (value != null && !value.isTextual()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: a string)");
    }
    return value == null ? null : value.textValue();
  }

  private static int[] tokenIds(JsonNode value) {
    if (!value.isArray()) {
      throw new IllegalArgumentException(
          "prompt_token_ids: " + value.getNodeType() + " (expected: an array of integers)");
    }
    int[] ids = new int[value.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = integer(value.get(i), "prompt_token_ids[" + i + "]");
    }
    return ids;
  }

  @Override
  public void close() {
    try {
      lines.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
