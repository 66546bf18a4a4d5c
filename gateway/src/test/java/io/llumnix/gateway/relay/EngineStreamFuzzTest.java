package io.llumnix.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.llumnix.openai.CompletionChunk;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An engine's {@code /v1/completions} stream, fuzzed as the gateway reads it: any bytes, cut
 * into any pieces (as TCP delivers them), fed to one {@link EngineStream}. Nothing may be
 * thrown from {@link EngineStream#feed}: it runs in the engine response's handler, where an
 * exception leaves the client waiting; what the engine got wrong reaches the listener as an
 * error chunk with an HTTP error status. What a chunk keeps as JSON text (the text, the stop
 * reason, the usage) is spliced into the client's chunks as it is, so it must be valid JSON
 * whatever the engine sent. And how the bytes are cut changes nothing: the listener hears the
 * same chunks as when the stream comes in one piece.
 *
 * <p>An input is the stream followed by a few bytes that say how to cut it (the last byte the
 * number of piece sizes, the bytes before it the sizes, cycled). The inputs under
 * {@code EngineStreamFuzzTestInputs/} are vLLM streams so followed.
 */
class EngineStreamFuzzTest {

  @FuzzTest(maxDuration = "20s")
  // No entries with line breaks: Jazzer writes them unescaped into libFuzzer's dictionary file.
  @DictionaryEntries({"data: ", "data:", ": ping", "[DONE]", "\"choices\":[",
      "\"index\":", "\"text\":", "\"finish_reason\":", "\"stop_reason\":", "\"usage\":",
      "\"prompt_tokens\":", "\"completion_tokens\":", "\"error\":{", "\"code\":",
      "\"message\":", "null", "\"\"", "\\u00e9", "\\\""})
  void decodesAnyCutTheSameWay(FuzzedDataProvider data) {
    int[] sizes = new int[data.consumeInt(1, 16)];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = data.consumeInt(1, 64);
    }
    byte[] stream = data.consumeRemainingAsBytes();

    List<String> whole = heard(List.of(stream));
    List<byte[]> pieces = new ArrayList<>();
    for (int at = 0, i = 0; at < stream.length; i++) {
      int end = Math.min(stream.length, at + sizes[i % sizes.length]);
      pieces.add(Arrays.copyOfRange(stream, at, end));
      at = end;
    }
    assertThat(heard(pieces)).isEqualTo(whole);
  }

  /** What a listener hears from the pieces, one line per chunk. */
  private static List<String> heard(List<byte[]> pieces) {
    List<String> chunks = new ArrayList<>();
    EngineStream stream = new EngineStream((chunk, data) -> {
      check(chunk, data);
      chunks.add(describe(chunk) + " <- " + data);
    });
    for (byte[] piece : pieces) {
      stream.feed(Buffer.buffer(piece));
    }
    return chunks;
  }

  /** What a chunk read from {@code data} must be, whatever the engine sent. */
  private static void check(CompletionChunk chunk, String data) {
    JsonObject json = object(data);
    if (chunk.isError()) {
      assertThat(chunk.errorStatus).as(data).isBetween(400, 599);
      return;
    }
    assertThat(json != null && json.getValue("error") instanceof JsonObject).as(data).isFalse();
    Object text = chunk.textLiteral == null ? null : json(chunk.textLiteral, data);
    assertThat(text == null || text instanceof String).as(data).isTrue();
    Object stopReason = json(chunk.stopReasonLiteral, data);
    assertThat(stopReason == null || stopReason instanceof String
        || stopReason instanceof Number).as(chunk.stopReasonLiteral + " <- " + data).isTrue();
    if (chunk.usageLiteral != null) {
      assertThat(json(chunk.usageLiteral, data)).isInstanceOf(JsonObject.class);
    }
    // A chunk that is JSON says what its first choice says, whichever way it was read.
    if (json != null && json.getValue("choices") instanceof JsonArray choices
        && !choices.isEmpty() && choices.getValue(0) instanceof JsonObject choice) {
      assertThat(text).as(data).isEqualTo(choice.getValue("text") instanceof String s ? s : "");
      assertThat(chunk.finishReason).as(data)
          .isEqualTo(choice.getValue("finish_reason") instanceof String s ? s : null);
    }
  }

  private static @Nullable JsonObject object(String data) {
    try {
      return new JsonObject(data);
    } catch (DecodeException | ClassCastException notAnObject) {
      return null;
    }
  }

  /** The value {@code literal} writes; fails when it is not JSON. */
  private static @Nullable Object json(String literal, String data) {
    try {
      return Json.decodeValue(literal);
    } catch (DecodeException e) {
      throw new AssertionError("not JSON: " + literal + " <- " + data, e);
    }
  }

  private static String describe(CompletionChunk c) {
    return c.textLiteral + "|" + c.emptyText + "|" + c.finishReason + "|" + c.stopReasonLiteral
        + "|" + c.usageLiteral + "|" + c.promptTokens + "|" + c.completionTokens + "|"
        + c.errorStatus + "|" + c.errorMessage;
  }
}
