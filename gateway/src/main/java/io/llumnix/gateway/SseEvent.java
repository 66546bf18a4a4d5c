package io.llumnix.gateway;

import org.jspecify.annotations.Nullable;

/**
 * The few fields the gateway needs from an engine's completion chunk, found by scanning the JSON
 * text instead of building a tree: a token's chunk is then relayed without a parse and a
 * re-encode. Chunks of another shape (errors, several choices) are left to a full parse.
 *
 * <p>Shape of vLLM's chunks: {@code {"id":…,"object":"text_completion","created":…,"model":…,
 * "choices":[{"index":0,"text":"…","logprobs":null,"finish_reason":null,"stop_reason":null}],
 * "usage":null}}; the usage chunk has {@code "choices":[]} and a {@code usage} object.
 */
final class SseEvent {

  /** The text field as it appears in the JSON, quotes and escapes included; null if absent. */
  @Nullable String rawText;
  /** Whether the text is the empty string. */
  boolean emptyText;
  /** The finish reason, or null while the request runs. */
  @Nullable String finishReason;
  /** The stop reason as raw JSON ({@code null}, a string literal or a number). */
  String rawStopReason = "null";
  /** Whether this chunk carries usage (the last one). */
  boolean hasUsage;

  private SseEvent() {}

  /**
   * Scans {@code json}; returns null when it is not a plain one-choice completion chunk (an
   * error event, say), which the caller then parses fully.
   */
  static @Nullable SseEvent scan(String json) {
    if (json.startsWith("{\"error\"") || json.contains("\"error\":{")) {
      return null;
    }
    SseEvent event = new SseEvent();
    int usage = json.lastIndexOf("\"usage\":");
    event.hasUsage = usage >= 0 && json.startsWith("{", skipSpaces(json, usage + 8));
    int choices = json.indexOf("\"choices\":[");
    if (choices < 0) {
      return null;
    }
    int first = skipSpaces(json, choices + 11);
    if (json.charAt(first) == ']') {
      return event; // the usage chunk
    }
    int text = json.indexOf("\"text\":", first);
    if (text < 0) {
      return null;
    }
    int start = skipSpaces(json, text + 7);
    int end = endOfString(json, start);
    if (end < 0) {
      return null;
    }
    event.rawText = json.substring(start, end + 1);
    event.emptyText = end == start + 1;
    int reason = json.indexOf("\"finish_reason\":", end);
    if (reason >= 0) {
      int at = skipSpaces(json, reason + 16);
      if (json.charAt(at) == '"') {
        int close = endOfString(json, at);
        if (close < 0) {
          return null;
        }
        event.finishReason = json.substring(at + 1, close);
      }
    }
    int stop = json.indexOf("\"stop_reason\":", end);
    if (stop >= 0) {
      int at = skipSpaces(json, stop + 14);
      int close = json.charAt(at) == '"' ? endOfString(json, at) + 1 : valueEnd(json, at);
      if (close <= at) {
        return null;
      }
      event.rawStopReason = json.substring(at, close);
    }
    if (json.indexOf("\"index\":", end) >= 0 && json.indexOf("\"text\":", end) >= 0) {
      return null; // more than one choice
    }
    return event;
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && s.charAt(i) == ' ') {
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
      } else if (c == '"') {
        return i;
      }
    }
    return -1;
  }

  private static int valueEnd(String s, int start) {
    int i = start;
    while (i < s.length() && ",}] ".indexOf(s.charAt(i)) < 0) {
      i++;
    }
    return i;
  }
}
