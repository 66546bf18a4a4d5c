package io.llumnix.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {

  @TempDir Path dir;

  Path trace(String... lines) throws Exception {
    return Files.write(dir.resolve("trace.jsonl"), List.of(lines));
  }

  /** The message reading {@code lines} fails with. */
  String failure(String... lines) throws Exception {
    Path path = trace(lines);
    try (TraceReader reader = TraceReader.open(path)) {
      while (reader.hasNext()) {
        reader.next();
      }
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith(path + ":");
      return e.getMessage().replace(dir + File.separator, "");
    }
    throw new AssertionError("read without an error: " + List.of(lines));
  }

  @Test
  void readsRequiredAndOptionalFieldsSkippingBlankLines() throws Exception {
    Path path = trace("{\"arrival_ms\": 12.5, \"prompt_tokens\": 230, \"output_tokens\": 180}",
        "", "   ",
        "{\"arrival_ms\": 13, \"prompt_tokens\": 2, \"output_tokens\": 1,"
            + " \"prompt_token_ids\": [5, 6], \"prefix_id\": \"g3\", \"prefix_tokens\": 1,"
            + " \"session_id\": \"s1\"}",
        "{\"arrival_ms\": 13, \"prompt_tokens\": 9, \"output_tokens\": 2,"
            + " \"prompt_token_ids\": null, \"prefix_id\": null, \"session_id\": null}");
    assertThat(TraceWriterTest.readAll(path)).containsExactly(
        new TraceEntry(12.5, 230, 180),
        new TraceEntry(13, 2, 1, new int[] {5, 6}, "g3", 1, "s1"),
        new TraceEntry(13, 9, 2));
  }

  @Test
  void ignoresUnknownFields() throws Exception {
    Path path = trace("{\"arrival_ms\": 1, \"prompt_tokens\": 3, \"output_tokens\": 4,"
        + " \"model\": \"qwen\", \"priority\": 2, \"tags\": {\"a\": [1, {\"b\": null}]}}");
    assertThat(TraceWriterTest.readAll(path)).containsExactly(new TraceEntry(1, 3, 4));
  }

  @Test
  void promptsGivenAsTextAreTokenizedByTheReadersTokenizer() throws Exception {
    Path path = trace("{\"arrival_ms\": 0, \"prompt\": \"a b c\", \"output_tokens\": 2}");

    List<TraceEntry> entries = new java.util.ArrayList<>();
    try (TraceReader reader = TraceReader.open(path, text -> text.chars()
        .filter(c -> c != ' ').toArray())) {
      reader.forEachRemaining(entries::add);
    }

    assertThat(entries).containsExactly(new TraceEntry(0, 3, 2, new int[] {'a', 'b', 'c'}, null,
        0, null));
    assertThat(failure("{\"arrival_ms\": 0, \"prompt\": \"a b c\", \"output_tokens\": 2}"))
        .isEqualTo("trace.jsonl:1: prompt: given as text, but this reader has no tokenizer "
            + "(give prompt_tokens or prompt_token_ids)");
  }

  @Test
  void aBadLineNamesTheFileAndLine() throws Exception {
    String ok = "{\"arrival_ms\": 5, \"prompt_tokens\": 3, \"output_tokens\": 4}";
    assertThat(failure(ok, "", "{\"arrival_ms\": 6, \"prompt_tokens\": 3}"))
        .isEqualTo("trace.jsonl:3: output_tokens missing");
    assertThat(failure("{\"prompt_tokens\": 3, \"output_tokens\": 4}"))
        .isEqualTo("trace.jsonl:1: arrival_ms missing");
    assertThat(failure("{\"arrival_ms\": 1, \"prompt_tokens\": null, \"output_tokens\": 4}"))
        .isEqualTo("trace.jsonl:1: prompt_tokens missing");
    assertThat(failure(ok, "{\"arrival_ms\": 4.5, \"prompt_tokens\": 3, \"output_tokens\": 4}"))
        .startsWith("trace.jsonl:2: arrival_ms: 4.5 (expected: >= 5.0");
  }

  @Test
  void badJsonNamesTheFileAndLine() throws Exception {
    String ok = "{\"arrival_ms\": 5, \"prompt_tokens\": 3, \"output_tokens\": 4}";
    assertThat(failure(ok, "{\"arrival_ms\": 6, \"prompt_tokens\": 3,"))
        .startsWith("trace.jsonl:2: bad JSON: ");
    assertThat(failure(ok, ok + " " + ok)).startsWith("trace.jsonl:2: bad JSON: ");
    assertThat(failure("not json")).startsWith("trace.jsonl:1: bad JSON: ");
    assertThat(failure("[1, 2]")).isEqualTo("trace.jsonl:1: not a JSON object: ARRAY");
  }

  @Test
  void aBadValueNamesTheFileLineAndField() throws Exception {
    String head = "{\"arrival_ms\": 5, \"prompt_tokens\": 3, \"output_tokens\": ";
    assertThat(failure(head + "0}")).startsWith("trace.jsonl:1: output_tokens: 0 (expected");
    assertThat(failure(head + "2.5}"))
        .isEqualTo("trace.jsonl:1: output_tokens: 2.5 (expected: an integer)");
    assertThat(failure(head + "\"4\"}")).startsWith("trace.jsonl:1: output_tokens: \"4\"");
    assertThat(failure(head + "9999999999}")).startsWith("trace.jsonl:1: output_tokens: 9999");
    assertThat(failure("{\"arrival_ms\": \"soon\", \"prompt_tokens\": 3, \"output_tokens\": 4}"))
        .isEqualTo("trace.jsonl:1: arrival_ms: \"soon\" (expected: a number)");
    assertThat(failure("{\"arrival_ms\": -2, \"prompt_tokens\": 3, \"output_tokens\": 4}"))
        .startsWith("trace.jsonl:1: arrival_ms: -2.0 (expected");
    assertThat(failure(head + "4, \"prefix_tokens\": 7}"))
        .startsWith("trace.jsonl:1: prefix_tokens: 7 (expected");
    assertThat(failure(head + "4, \"prefix_id\": 3}"))
        .isEqualTo("trace.jsonl:1: prefix_id: 3 (expected: a string)");
    assertThat(failure(head + "4, \"prompt_token_ids\": [1, 2]}"))
        .startsWith("trace.jsonl:1: prompt_token_ids: 2 ids");
    assertThat(failure(head + "4, \"prompt_token_ids\": [1, \"x\", 3]}"))
        .startsWith("trace.jsonl:1: prompt_token_ids[1]: \"x\"");
    assertThat(failure(head + "4, \"prompt_token_ids\": \"1 2 3\"}"))
        .startsWith("trace.jsonl:1: prompt_token_ids: STRING");
  }

  @Test
  void streamsALongTrace() throws Exception {
    int n = 100_000;
    Path path = dir.resolve("long.jsonl");
    try (BufferedWriter out = Files.newBufferedWriter(path)) {
      for (int i = 0; i < n; i++) {
        out.write("{\"arrival_ms\": " + i * 0.5 + ", \"prompt_tokens\": " + (1 + i % 500)
            + ", \"output_tokens\": 16}\n");
      }
    }
    int count = 0;
    double last = -1;
    try (TraceReader reader = TraceReader.open(path)) {
      while (reader.hasNext()) {
        TraceEntry entry = reader.next();
        assertThat(entry.arrivalMs()).isGreaterThan(last);
        last = entry.arrivalMs();
        count++;
      }
      assertThatThrownBy(reader::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(count).isEqualTo(n);
    assertThat(last).isEqualTo((n - 1) * 0.5);
  }
}
