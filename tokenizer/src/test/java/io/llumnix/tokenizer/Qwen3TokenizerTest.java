package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The shipped Qwen3 tokenizer: its vocabulary, and its chat template rendered exactly as
 * transformers renders it (the expected texts come from Python's jinja2, configured as
 * {@code apply_chat_template} configures it; see {@code render_chat_cases.py}).
 */
class Qwen3TokenizerTest {

  record Case(String name, List<Map<String, Object>> messages, Map<String, Object> variables,
      String expected) {}

  static final Tokenizer QWEN3 = TokenizerSource.DEFAULT.load();

  static List<Case> cases() throws Exception {
    try (InputStream in = Qwen3TokenizerTest.class.getResourceAsStream(
        "/qwen3-chat-template-cases.json")) {
      return new ObjectMapper().readValue(in, new TypeReference<List<Case>>() {});
    }
  }

  @Test
  void encodesWithQwensVocabulary() {
    assertThat(QWEN3.encode("Hello world")).containsExactly(9707, 1879);
    // Special tokens in rendered chat text are single tokens, as vLLM's tokenizer sees them.
    assertThat(QWEN3.encode("<|im_start|>user\nHi<|im_end|>"))
        .startsWith(151644).endsWith(151645);
    assertThat(QWEN3.vocabSize()).isEqualTo(151_936);
    assertThat(TokenizerSource.DEFAULT.load()).isSameAs(QWEN3);
  }

  @Test
  void rendersEveryCaseAsTransformersDoes() throws Exception {
    List<Case> cases = cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(9);
    for (Case c : cases) {
      assertThat(QWEN3.chatTemplate().render(c.messages(), c.variables()))
          .as(c.name()).isEqualTo(c.expected());
    }
  }

  @Test
  void rendersConcurrentlyFromOneParsedTemplate() throws Exception {
    List<Case> cases = cases();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        Case c = cases.get(i % cases.size());
        results.add(pool.submit(() ->
            QWEN3.chatTemplate().render(c.messages(), c.variables()).equals(c.expected())));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void unknownNameIsAClearError() {
    assertThatThrownBy(() -> new TokenizerSource("", "llama9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenizer name: llama9 (expected one of: qwen3, builtin)");
  }
}
