package io.llumnix.openai;

import io.llumnix.core.json.JsonText;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One chunk of a streamed {@code /v1/completions} answer, read for what a relay needs: the
 * text (as the JSON string literal the engine wrote, so it can be spliced into another chunk
 * without a decode and a re-encode), the finish and stop reasons, the usage, or an error.
 *
 * <p>Design notes. A token's chunk is found by scanning the text for its few fields, not by
 * building a tree: that is the per-token path. Chunks of any other shape (the usage chunk,
 * errors, several choices, unusual spacing) are parsed fully, once per request at most.
 *
 * <p>vLLM's chunks look like {@code {"id":…,"object":"text_completion","created":…,"model":…,
 * "choices":[{"index":0,"text":"…","logprobs":null,"finish_reason":null,"stop_reason":null}],
 * "usage":null}}; the usage chunk has {@code "choices":[]} and a {@code usage} object.
 */
public final class CompletionChunk {

  /** The text as a JSON string literal, quotes included; null when the chunk has no choice. */
  public @Nullable String textLiteral;
  /** Whether the text is empty. */
  public boolean emptyText = true;
  /** The finish reason, or null while the request runs. */
  public @Nullable String finishReason;
  /** The stop reason as JSON ({@code null}, a string literal or a number). */
  public String stopReasonLiteral = "null";
  /** The usage object as JSON, or null. */
  public @Nullable String usageLiteral;
  /** Usage counts, -1 when the chunk carries no usage. */
  public int promptTokens = -1;
  public int completionTokens = -1;
  /** An error event's status ({@code code}) and message; status 0 when none. */
  public int errorStatus;
  public String errorMessage = "";

  private CompletionChunk() {}

  /**
   * Reads the data of one event.
   *
   * @throws IllegalArgumentException when it is not JSON
   */
  public static CompletionChunk read(String json) {
    CompletionChunk scanned = scan(json);
    return scanned != null ? scanned : parse(json);
  }

  /** An error event with {@code status} and {@code message}, as if the engine had sent it. */
  public static CompletionChunk error(int status, String message) {
    CompletionChunk result = new CompletionChunk();
    result.errorStatus = status;
    result.errorMessage = message;
    return result;
  }

  /** The {@code model} of a chunk, or "". */
  public static String model(String json) {
    try {
      return new JsonObject(json).getString("model", "");
    } catch (DecodeException | ClassCastException e) {
      return "";
    }
  }

  /** Whether this chunk is an error event. */
  public boolean isError() {
    return errorStatus != 0;
  }

  private static CompletionChunk parse(String json) {
    JsonObject chunk;
    try {
      chunk = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
    }
    CompletionChunk result = new CompletionChunk();
    if (chunk.getValue("error") instanceof JsonObject error) {
      Object code = error.getValue("code");
      // Only an HTTP error status is relayed as one; anything else is the engine's failure.
      result.errorStatus = code instanceof Number n && n.doubleValue() >= 400
          && n.doubleValue() <= 599 ? n.intValue() : 500;
      result.errorMessage = String.valueOf(error.getValue("message", "engine error"));
      return result;
    }
    if (chunk.getValue("usage") instanceof JsonObject usage) {
      result.usageLiteral = usage.encode();
      result.promptTokens = count(usage.getValue("prompt_tokens"));
      result.completionTokens = count(usage.getValue("completion_tokens"));
    }
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice) {
      String text = choice.getValue("text") instanceof String s ? s : "";
      result.textLiteral = JsonText.quote(text);
      result.emptyText = text.isEmpty();
      result.finishReason = choice.getValue("finish_reason") instanceof String s ? s : null;
      result.stopReasonLiteral = ChunkWriter.stopReasonLiteral(choice.getValue("stop_reason"));
    }
    return result;
  }

  /** A usage count, or -1 when it is not a non-negative integer. */
  private static int count(@Nullable Object value) {
    return value instanceof Number n && n.doubleValue() >= 0
        && n.doubleValue() <= Integer.MAX_VALUE && n.doubleValue() == Math.rint(n.doubleValue())
        ? n.intValue() : -1;
  }

  /**
   * The fast path; null when the chunk is not a plain one-choice token chunk, or anything in
   * it is not what the scan can vouch for — then the full parse decides, so the two always
   * agree.
   */
  private static @Nullable CompletionChunk scan(String json) {
    if (json.contains("\"error\"")) {
      return null;
    }
    int usage = json.lastIndexOf("\"usage\":");
    if (usage >= 0 && json.startsWith("{", skipSpaces(json, usage + 8))) {
      return null; // the usage chunk, or a continuous-usage stream: parse it
    }
    int choices = key(json, "\"choices\":[", 0);
    if (choices < 0) {
      return null;
    }
    int first = skipSpaces(json, choices + 11);
    int text = key(json, "\"text\":", first);
    if (text < 0 || json.charAt(first) != '{' || !flat(json, first + 1, text)) {
      return null; // the text is not a field of the first choice itself
    }
    int start = skipSpaces(json, text + 7);
    int end = endOfString(json, start);
    if (end < 0) {
      return null;
    }
    CompletionChunk event = new CompletionChunk();
    event.textLiteral = json.substring(start, end + 1);
    event.emptyText = end == start + 1;
    int reason = key(json, "\"finish_reason\":", end);
    if (reason >= 0 && !flat(json, end + 1, reason)) {
      return null; // not in the same choice as the text
    }
    if (reason >= 0) {
      int at = skipSpaces(json, reason + 16);
      if (json.charAt(at) == '"') {
        int close = endOfString(json, at);
        if (close < 0 || json.indexOf('\\', at, close) >= 0) {
          return null; // an escape in it: the full parse decodes it
        }
        event.finishReason = json.substring(at + 1, close);
      }
    }
    int stop = key(json, "\"stop_reason\":", end);
    if (stop >= 0 && !flat(json, end + 1, stop)) {
      return null;
    }
    if (stop >= 0) {
      int at = skipSpaces(json, stop + 14);
      int close = json.charAt(at) == '"' ? endOfString(json, at) + 1 : valueEnd(json, at);
      if (close <= at) {
        return null;
      }
      if (close != at + 4 || !json.startsWith("null", at)) { // null, every token but the last
        String literal = json.substring(at, close);
        if (literal.charAt(0) != '"' && !SCALAR.matcher(literal).matches()) {
          return null;
        }
        event.stopReasonLiteral = literal;
      }
    }
    if (key(json, "\"text\":", end) >= 0 || key(json, "\"choices\":", end) >= 0 || (reason >= 0
        && key(json, "\"finish_reason\":", reason + 1) >= 0) || (stop >= 0
        && key(json, "\"stop_reason\":", stop + 1) >= 0)) {
      return null; // more than one choice, or a key (choices too) given twice: the full
      // parse's last wins
    }
    return event;
  }

  /**
   * Whether {@code json} between {@code from} and {@code to} opens or closes no object or array
   * (in strings too, which only sends such chunks to the full parse): the two ends are then
   * fields of one object.
   */
  private static boolean flat(String json, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = json.charAt(i);
      if (c == '{' || c == '}' || c == '[' || c == ']') {
        return false;
      }
    }
    return true;
  }

  /** A JSON scalar the scan may copy as it is: null or a number. */
  private static final Pattern SCALAR =
      Pattern.compile("null|-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  /** Where {@code key} (with its quotes) starts from {@code from}, not inside a string. */
  private static int key(String json, String key, int from) {
    int at = json.indexOf(key, from);
    while (at > 0 && json.charAt(at - 1) == '\\') { // an escaped quote in a string
      at = json.indexOf(key, at + 1);
    }
    return at;
  }

  private static int skipSpaces(String s, int i) {
    // JSON's whitespace, all four: a tab after a colon is as valid as a space
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n'
        || s.charAt(i) == '\r')) {
      i++;
    }
    return Math.min(i, s.length() - 1);
  }

  /** The index of the closing quote of the string literal opening at {@code start}, or -1. */
  private static int endOfString(String s, int start) {
    if (start >= s.length() || s.charAt(start) != '"') {
      return -1;
    }
    for (int i = start + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
        if (i >= s.length() || "\"\\/bfnrtu".indexOf(s.charAt(i)) < 0
            || (s.charAt(i) == 'u' && !hex4(s, i + 1))) {
          return -1; // not a JSON escape: the full parse refuses it
        }
      } else if (c == '"') {
        return i;
      } else if (c < 0x20) {
        return -1; // a raw control character is not valid JSON
      }
    }
    return -1;
  }

  private static boolean hex4(String s, int from) {
    if (from + 4 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 4; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int valueEnd(String s, int start) {
    int i = start;
    while (i < s.length() && ",}] ".indexOf(s.charAt(i)) < 0) {
      i++;
    }
    return i;
  }
}
