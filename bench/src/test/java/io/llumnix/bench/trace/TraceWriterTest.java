package io.llumnix.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceWriterTest {

  @TempDir Path dir;

  static List<TraceEntry> readAll(Path path) throws Exception {
    List<TraceEntry> entries = new ArrayList<>();
    try (TraceReader reader = TraceReader.open(path)) {
      reader.forEachRemaining(entries::add);
    }
    return entries;
  }

  @Test
  void whatIsWrittenReadsBackEqual() throws Exception {
    List<TraceEntry> entries = List.of(
        new TraceEntry(0, 230, 180),
        new TraceEntry(12.5, 3, 1, new int[] {7, 0, 151643}, "g3", 2, "s1"),
        new TraceEntry(12.5, 400, 64, null, "g0", 400, null),
        new TraceEntry(1234.567891234, 1, 4096, null, null, 0, "s\"2\n"));
    Path path = dir.resolve("trace.jsonl");
    try (TraceWriter writer = new TraceWriter(path)) {
      for (TraceEntry entry : entries) {
        writer.write(entry);
      }
    }
    assertThat(readAll(path)).containsExactlyElementsOf(entries);
    assertThat(Files.readAllLines(path)).hasSize(4);
  }

  @Test
  void writesOneObjectALineWithoutTheFieldsAnEntryLacks() throws Exception {
    Path path = dir.resolve("trace.jsonl");
    try (TraceWriter writer = new TraceWriter(path)) {
      writer.write(new TraceEntry(12.5, 230, 180));
      writer.write(new TraceEntry(13, 2, 1, new int[] {5, 6}, "g1", 1, "s1"));
    }
    assertThat(Files.readString(path)).isEqualTo(
        "{\"arrival_ms\":12.5,\"prompt_tokens\":230,\"output_tokens\":180}\n"
        + "{\"arrival_ms\":13.0,\"prompt_tokens\":2,\"output_tokens\":1,"
        + "\"prompt_token_ids\":[5,6],\"prefix_id\":\"g1\",\"prefix_tokens\":1,"
        + "\"session_id\":\"s1\"}\n");
  }

  @Test
  void anEntryRejectsImpossibleValuesNamingTheField() {
    assertThatThrownBy(() -> new TraceEntry(-1, 1, 1)).hasMessageStartingWith("arrival_ms: -1");
    assertThatThrownBy(() -> new TraceEntry(Double.NaN, 1, 1))
        .hasMessageStartingWith("arrival_ms: NaN");
    assertThatThrownBy(() -> new TraceEntry(Double.POSITIVE_INFINITY, 1, 1))
        .hasMessageStartingWith("arrival_ms: Infinity");
    assertThatThrownBy(() -> new TraceEntry(0, 0, 1)).hasMessageStartingWith("prompt_tokens: 0");
    assertThatThrownBy(() -> new TraceEntry(0, 1, 0)).hasMessageStartingWith("output_tokens: 0");
    assertThatThrownBy(() -> new TraceEntry(0, 4, 1, null, "g", 5, null))
        .hasMessageStartingWith("prefix_tokens: 5");
    assertThatThrownBy(() -> new TraceEntry(0, 4, 1, null, "g", -1, null))
        .hasMessageStartingWith("prefix_tokens: -1");
    assertThatThrownBy(() -> new TraceEntry(0, 4, 1, new int[3], null, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prompt_token_ids: 3 ids");
  }
}
