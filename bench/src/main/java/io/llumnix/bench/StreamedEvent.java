package io.llumnix.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What the bench needs of one streamed event of an OpenAI answer: whether it is an error,
 * whether its first choice carries text ({@code delta.content} for chat, {@code text} for
 * completions) and the usage counts, when it has them.
 *
 * <p>Design notes. The bench runs on the machine it measures, and reads one event per token of
 * every stream: a tree of maps per event cost it more CPU than the rest of a request, CPU the
 * servers under test then lacked. So the event is read with Jackson's streaming parser, which
 * skips what it does not need without building anything.
 *
 * @param error the event has a non-null {@code error}
 * @param content the first choice's text is a non-empty string
 * @param promptTokens {@code usage.prompt_tokens}, or -1
 * @param completionTokens {@code usage.completion_tokens}, or -1
 */
record StreamedEvent(boolean error, boolean content, int promptTokens, int completionTokens) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final StreamedEvent ERROR = new StreamedEvent(true, false, -1, -1);
  private static final StreamedEvent CONTENT = new StreamedEvent(false, true, -1, -1);
  private static final StreamedEvent EMPTY = new StreamedEvent(false, false, -1, -1);

  /**
   * Reads one event's data.
   *
   * @throws IllegalArgumentException when it is not a JSON object
   */
  static StreamedEvent read(String data, boolean chat) {
    try (JsonParser p = JSON.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      boolean content = false;
      int prompt = -1;
      int completion = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "error" -> {
            if (value != JsonToken.VALUE_NULL) {
              return ERROR;
            }
          }
          case "usage" -> {
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken count = p.nextToken();
                if (count == JsonToken.VALUE_NUMBER_INT && name.equals("prompt_tokens")) {
                  prompt = p.getIntValue();
                } else if (count == JsonToken.VALUE_NUMBER_INT
                    && name.equals("completion_tokens")) {
                  completion = p.getIntValue();
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          case "choices" -> {
            if (value == JsonToken.START_ARRAY) {
              content = firstChoiceHasText(p, chat);
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (prompt >= 0 || completion >= 0) {
        return new StreamedEvent(false, content, prompt, completion);
      }
      return content ? CONTENT : EMPTY;
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  /** Reads the choices array to its end; whether its first element carries text. */
  private static boolean firstChoiceHasText(JsonParser p, boolean chat) throws IOException {
    boolean text = false;
    boolean first = true;
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (first && token == JsonToken.START_OBJECT) {
        text = chat ? objectHasText(p, "delta", "content") : fieldIsText(p, "text");
      } else {
        p.skipChildren();
      }
      first = false;
    }
    return text;
  }

  /** Reads an object to its end; whether {@code outer.inner} is a non-empty string. */
  private static boolean objectHasText(JsonParser p, String outer, String inner)
      throws IOException {
    boolean text = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (p.nextToken() == JsonToken.START_OBJECT && name.equals(outer)) {
        text = fieldIsText(p, inner);
      } else {
        p.skipChildren();
      }
    }
    return text;
  }

  /** Reads an object to its end; whether its {@code field} is a non-empty string. */
  private static boolean fieldIsText(JsonParser p, String field) throws IOException {
    boolean text = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.VALUE_STRING && name.equals(field)) {
        text = p.getTextLength() > 0;
      } else {
        p.skipChildren();
      }
    }
    return text;
  }
}
