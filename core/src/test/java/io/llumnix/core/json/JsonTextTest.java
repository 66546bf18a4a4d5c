package io.llumnix.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTextTest {

  @Test
  void escapesAsPythonAndPydanticDo() {
    assertThat(JsonText.quote("plain")).isEqualTo("\"plain\"");
    assertThat(JsonText.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(JsonText.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
    assertThat(JsonText.quote("\u0001\u001f")).isEqualTo("\"\\u0001\\u001f\"");
    assertThat(JsonText.quote("é 中 🙂")).isEqualTo("\"é 中 🙂\""); // ensure_ascii=False
    assertThat(JsonText.quote("")).isEqualTo("\"\"");
  }
}
