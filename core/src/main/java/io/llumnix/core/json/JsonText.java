package io.llumnix.core.json;

/**
 * JSON string literals written straight into a {@link StringBuilder}, without an object tree:
 * for the per-token paths that write response chunks, and for chat templates' {@code tojson}.
 * The escapes are Python's {@code json.dumps(ensure_ascii=False)} and pydantic's (what vLLM and
 * transformers write): {@code \" \\ \n \r \t \b \f}, other control characters as
 * {@code \}{@code u00XX}, everything else as is.
 */
public final class JsonText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** Appends {@code value} as a quoted, escaped JSON string; returns {@code out}. */
  public static StringBuilder quote(StringBuilder out, CharSequence value) {
    out.append('"');
    int length = value.length();
    int clean = 0; // start of the run of characters that need no escape
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(value, clean, i);
      clean = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.append(value, clean, length).append('"');
  }

  /** {@code value} as a quoted, escaped JSON string. */
  public static String quote(CharSequence value) {
    return quote(new StringBuilder(value.length() + 8), value).toString();
  }
}
