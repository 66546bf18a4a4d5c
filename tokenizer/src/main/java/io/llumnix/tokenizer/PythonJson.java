package io.llumnix.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import io.llumnix.core.json.JsonText;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False)}, whose separators are {@code ", "} and
 * {@code ": "}. Jinjava's own writes compact JSON, which would change the prompt's tokens.
 */
final class PythonJson implements Filter {

  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  static void write(Object value, StringBuilder out) {
    switch (value) {
      case null -> out.append("null");
      case Boolean b -> out.append(b ? "true" : "false");
      case Double d when d.isInfinite() || d.isNaN() ->
          out.append(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      case Number n -> out.append(n);
      case Map<?, ?> map -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!first) {
            out.append(", ");
          }
          string(String.valueOf(entry.getKey()), out);
          out.append(": ");
          write(entry.getValue(), out);
          first = false;
        }
        out.append('}');
      }
      case Iterable<?> items -> {
        out.append('[');
        boolean first = true;
        for (Object item : items) {
          if (!first) {
            out.append(", ");
          }
          write(item, out);
          first = false;
        }
        out.append(']');
      }
      default -> string(value.toString(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    JsonText.quote(out, s);
  }
}
