package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * A request body, fuzzed through what the gateway's admission and the engine's routes do with
 * it: {@link OpenAiRequest#jsonBody} then {@link OpenAiRequest#parse}, as a completion and as
 * a chat (rendered by Qwen3's real template), under the gateway's rules and an engine's.
 * Whatever the bytes, the answer is a request or an {@link OpenAiError} with a 4xx status:
 * any other exception is a 500 for what is the client's mistake. The inputs under
 * {@code OpenAiRequestFuzzTestInputs/} are bodies as clients send them.
 */
class OpenAiRequestFuzzTest {

  /** The tokenizer both servers load by default. */
  static final Tokenizer QWEN3 = TokenizerSource.DEFAULT.load();

  /**
   * The gateway's rules with its default {@code --max-model-len} (unknown), and those of an
   * engine serving Qwen3 as {@code qwen3} with the engine simulator's default limits (8192
   * tokens of context, 20 logprobs), built as its OpenAiRoutes builds them.
   */
  static final List<RequestRules> RULES = List.of(RequestRules.gateway(QWEN3, 0),
      new RequestRules(Dialect.ENGINE, Set.of("Qwen/Qwen3-0.6B", "qwen3"), QWEN3, 8192, 20));

  @FuzzTest(maxDuration = "20s")
  @Timeout(10) // per input: a render or tokenization this slow is a finding
  void parsesOrAnswers4xx(byte[] body) {
    for (RequestRules rules : RULES) {
      for (boolean chat : new boolean[] {false, true}) {
        try {
          OpenAiRequest request = OpenAiRequest.parse(
              OpenAiRequest.jsonBody(Buffer.buffer(body)), chat, rules);
          check(request, rules);
        } catch (OpenAiError e) {
          assertThat(e.status()).as(e.getMessage()).isBetween(400, 499);
        }
      }
    }
  }

  /** What the gateway and the engine rely on in a request they accepted. */
  private static void check(OpenAiRequest request, RequestRules rules) {
    assertThat(request.prompts()).isNotEmpty();
    if (rules.dialect() == Dialect.GATEWAY) {
      assertThat(request.prompts()).hasSize(1);
    }
    int resolved = request.resolvedMaxTokens();
    assertThat(resolved == -1 || resolved >= 1).as("max tokens %s", resolved).isTrue();
    assertThat(resolved < 0 || request.minTokens() <= resolved).isTrue();
    int vocab = rules.tokenizer().vocabSize();
    for (int[] prompt : request.prompts()) {
      assertThat(prompt).isNotEmpty();
      assertThat(Arrays.stream(prompt).allMatch(id -> id >= 0 && id < vocab)).isTrue();
      if (rules.maxModelLen() > 0) { // the prompt and its output fit the context
        assertThat(prompt.length + Math.max(resolved, 0)).isLessThanOrEqualTo(
            rules.maxModelLen());
      }
    }
  }
}
