package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Table rows of engine chunks: the scanned fast path, the full parse, errors and usage. */
class CompletionChunkTest {

  static final String HEAD = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,";

  @Test
  void scansAToken() {
    CompletionChunk chunk = CompletionChunk.read(HEAD + "\"text\":\" the\",\"logprobs\":null,"
        + "\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}");
    assertThat(chunk.textLiteral).isEqualTo("\" the\"");
    assertThat(chunk.finishReason).isNull();
    assertThat(chunk.usageLiteral).isNull();
    assertThat(chunk.emptyText).isFalse();
    assertThat(chunk.isError()).isFalse();
  }

  @Test
  void keepsEscapesAndReadsTheFinish() {
    CompletionChunk chunk = CompletionChunk.read(HEAD + "\"text\":\"say \\\"hi\\\"\\n\","
        + "\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":\"\\\"}\"}],"
        + "\"usage\":null}");
    assertThat(chunk.textLiteral).isEqualTo("\"say \\\"hi\\\"\\n\"");
    assertThat(chunk.finishReason).isEqualTo("stop");
    assertThat(chunk.stopReasonLiteral).isEqualTo("\"\\\"}\"");
  }

  @Test
  void numericStopReasonsAndEmptyText() {
    CompletionChunk chunk = CompletionChunk.read(HEAD + "\"text\":\"\",\"logprobs\":null,"
        + "\"finish_reason\":\"stop\",\"stop_reason\":128001}],\"usage\":null}");
    assertThat(chunk.emptyText).isTrue();
    assertThat(chunk.stopReasonLiteral).isEqualTo("128001");
  }

  @Test
  void aStopReasonTooLargeForADoubleIsNoStopReasonNotInfinity() {
    // Found by EngineStreamFuzzTest: read as a double it is infinite, which JSON cannot write,
    // and the literal is spliced into the client's chunk as it is.
    CompletionChunk chunk = CompletionChunk.read("{\"choices\": [{\"index\": 0, \"text\": "
        + "\"\", \"finish_reason\": \"length\", \"stop_reason\": 151645E151645}]}");
    assertThat(chunk.finishReason).isEqualTo("length");
    assertThat(chunk.stopReasonLiteral).isEqualTo("null");
  }

  @Test
  void theUsageChunkIsParsedFully() {
    CompletionChunk usage = CompletionChunk.read("{\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{"
        + "\"prompt_tokens\":3,\"total_tokens\":5,\"completion_tokens\":2}}");
    assertThat(usage.textLiteral).isNull();
    assertThat(usage.promptTokens).isEqualTo(3);
    assertThat(usage.completionTokens).isEqualTo(2);
    assertThat(usage.usageLiteral)
        .isEqualTo("{\"prompt_tokens\":3,\"total_tokens\":5,\"completion_tokens\":2}");
  }

  @Test
  void aChunkOfAnotherShapeIsParsedToTheSameFields() {
    // Spaces after colons (another server's JSON writer) miss the scan, not the reader.
    CompletionChunk chunk = CompletionChunk.read("{\"choices\": [{\"index\": 0, \"text\": "
        + "\"a\\u00e9\", \"finish_reason\": \"length\", \"stop_reason\": null}], "
        + "\"usage\": {\"prompt_tokens\": 4, \"completion_tokens\": 1}}");
    assertThat(chunk.textLiteral).isEqualTo("\"aé\"");
    assertThat(chunk.finishReason).isEqualTo("length");
    assertThat(chunk.completionTokens).isEqualTo(1);
  }

  @Test
  void errorsAreRead() {
    CompletionChunk error = CompletionChunk.read("{\"error\":{\"message\":\"x\",\"code\":503}}");
    assertThat(error.isError()).isTrue();
    assertThat(error.errorStatus).isEqualTo(503);
    assertThat(error.errorMessage).isEqualTo("x");
    assertThat(CompletionChunk.read("{\"error\":{\"message\":\"y\"}}").errorStatus)
        .isEqualTo(500);
    assertThatThrownBy(() -> CompletionChunk.read("not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void severalChoicesAreLeftToTheFullParse() {
    CompletionChunk chunk = CompletionChunk.read(HEAD + "\"text\":\"a\",\"finish_reason\":null},"
        + "{\"index\":1,\"text\":\"b\",\"finish_reason\":null}],\"usage\":null}");
    assertThat(chunk.textLiteral).isEqualTo("\"a\""); // the first choice, the one relayed
  }

  @Test
  void choicesGivenTwiceAreReadAsTheFullParseReadsThemTheLastWins() {
    // Found by EngineStreamFuzzTest: the scan read the first "choices", Jackson the last.
    CompletionChunk chunk = CompletionChunk.read(HEAD + "\"text\":\"Hello\",\"finish_reason\":"
        + "null}],\"choices\":[{\"index\":0,\"treason\":\"x\"}],\"usage\":null}");
    assertThat(chunk.textLiteral).isEqualTo("\"\""); // the last choices' first has no text
  }

  @Test
  void aTabAfterAColonIsWhitespaceToo() {
    // Found by EngineStreamFuzzTest: the scan skipped only spaces and lost the finish reason.
    CompletionChunk chunk = CompletionChunk.read("{\"choices\":[{\"text\":\"b\",\n"
        + "\"finish_reason\":\t\"length\"}]}");
    assertThat(chunk.finishReason).isEqualTo("length");
  }

  /** What the stream fuzzer found: each is read as a full parse reads it, or refused. */
  @Test
  void whatTheFuzzerFoundIsReadAsTheFullParseReadsItOrRefused() {
    CompletionChunk wrongTypes = CompletionChunk.read(
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":\"5\",\"completion_tokens\":null}}");
    assertThat(wrongTypes.promptTokens).isEqualTo(-1);
    assertThat(wrongTypes.completionTokens).isEqualTo(-1);
    assertThat(CompletionChunk.read("{\"error\":{\"message\":\"x\",\"code\":894}}").errorStatus)
        .isEqualTo(500);
    assertThat(CompletionChunk.read("{\"error\":{\"message\":\"x\",\"code\":1e40}}")
        .errorStatus).isEqualTo(500);
    CompletionChunk late = CompletionChunk.read(
        "{\"choices\":[{\"text\":\"a\"}],\"error\": {\"message\":\"x\"}}");
    assertThat(late.isError()).isTrue();
    for (String invalid : new String[] {"{\"choices\":[{\"text\":\"a\",\"stop_reason\":nu}]}",
        "{\"choices\":[{\"text\":\"a\",\"stop_reason\":", "{\"choices\":[{\"text\":\"\\l\"}]}",
        "{\"choices\":[{\"text\":\"a\nb\"}]}", "{\"choices\":[{\"text\":\"\\u12\"}]}",
        "{\"choices\":[{\"text\":\"a\",\"stop_reason\":\"\\q\"}]}"}) {
      assertThatThrownBy(() -> CompletionChunk.read(invalid)).as(invalid)
          .isInstanceOf(IllegalArgumentException.class);
    }
    CompletionChunk escapedKey = CompletionChunk.read(
        "{\"choices\":[{\"text\":\"b\",\"\\\"finish_reason\":\"length\"}]}");
    assertThat(escapedKey.finishReason).isNull();
    CompletionChunk escapedText = CompletionChunk.read(
        "{\"choices\":[{\"\\\"text\":\"x\",\"text\":\"b\"}]}");
    assertThat(escapedText.textLiteral).isEqualTo("\"b\"");
    CompletionChunk elsewhere = CompletionChunk.read("{\"choices\":[{\"index\":0,\"tex*\":\"a\"}],"
        + "\"usagices\":[{\"text\":\"b\",\"finish_reason\":\"length\"}]}");
    assertThat(elsewhere.textLiteral).isEqualTo("\"\"");
    assertThat(elsewhere.finishReason).isNull();
    CompletionChunk escapedFinish = CompletionChunk.read(HEAD + "\"text\":\"\",\"logprobs\":null,"
        + "\"finish_reason\":\"l\\\"gth\",\"stop_reason\":151645}],\"usage\":null}");
    assertThat(escapedFinish.finishReason).isEqualTo("l\"gth"); // decoded, as the full parse
  }

  @Test
  void aFinishReasonIsWrittenAsAJsonString() {
    String chunk = ChunkWriter.completion("cmpl-1", 1, "m")
        .token(0, "\"\"", "l\"gth", "null", null).toString();
    assertThat(new io.vertx.core.json.JsonObject(chunk.substring(6).trim())
        .getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("l\"gth");
  }
}
