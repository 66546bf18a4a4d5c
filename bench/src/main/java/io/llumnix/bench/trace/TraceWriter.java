package io.llumnix.bench.trace;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a trace, one JSON object a line, leaving out the optional fields an entry lacks.
 * Entries should come in arrival order: {@link TraceReader} rejects a trace that goes back.
 */
public final class TraceWriter implements AutoCloseable {

  private final JsonGenerator json;

  /** Creates (or truncates) {@code path}. */
  public TraceWriter(Path path) throws IOException {
    // No separator between root values: each line ends in its own newline instead.
    json = new JsonFactoryBuilder().rootValueSeparator((String) null).build()
        .createGenerator(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
  }

  public void write(TraceEntry entry) throws IOException {
    json.writeStartObject();
    json.writeNumberField("arrival_ms", entry.arrivalMs());
    json.writeNumberField("prompt_tokens", entry.promptTokens());
    json.writeNumberField("output_tokens", entry.outputTokens());
    int[] ids = entry.promptTokenIds();
    if (ids != null) {
      json.writeFieldName("prompt_token_ids");
      json.writeArray(ids, 0, ids.length);
    }
    if (entry.prefixId() != null) {
      json.writeStringField("prefix_id", entry.prefixId());
    }
    if (entry.prefixTokens() > 0) {
      json.writeNumberField("prefix_tokens", entry.prefixTokens());
    }
    if (entry.sessionId() != null) {
      json.writeStringField("session_id", entry.sessionId());
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  @Override
  public void close() throws IOException {
    json.close();
  }
}
