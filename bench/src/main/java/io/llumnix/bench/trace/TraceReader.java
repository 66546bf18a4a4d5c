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
  private final ObjectMapper json = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private @Nullable String pending;
  private int lineNumber;
  private double lastArrivalMs;

  private TraceReader(Path path, BufferedReader lines) {
    this.path = path;
    this.lines = lines;
  }

  public static TraceReader open(Path path) throws IOException {
    return new TraceReader(path, Files.newBufferedReader(path, StandardCharsets.UTF_8));
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
    int promptTokens = integer(required(node, "prompt_tokens"), "prompt_tokens");
    JsonNode ids = optional(node, "prompt_token_ids");
    JsonNode prefixTokens = optional(node, "prefix_tokens");
    return new TraceEntry(arrival.doubleValue(), promptTokens,
        integer(required(node, "output_tokens"), "output_tokens"),
        ids == null ? null : tokenIds(ids), text(node, "prefix_id"),
        prefixTokens == null ? 0 : integer(prefixTokens, "prefix_tokens"),
        text(node, "session_id"));
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
