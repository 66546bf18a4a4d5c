package io.llumnix.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.tokenizer.ChatTemplate;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** One set of rules for the gateway and the engine, and the few that differ by dialect. */
class OpenAiRequestTest {

  static final Tokenizer BUILTIN = TokenizerSource.BUILTIN.load();
  static final RequestRules ENGINE =
      new RequestRules(Dialect.ENGINE, Set.of("m"), BUILTIN, 1024, 20);
  static final RequestRules GATEWAY = RequestRules.gateway(BUILTIN, 1024);

  static OpenAiRequest completion(RequestRules rules, String json) {
    return OpenAiRequest.parse(new JsonObject(json), false, rules);
  }

  static OpenAiRequest chat(RequestRules rules, String json) {
    return OpenAiRequest.parse(new JsonObject(json), true, rules);
  }

  static void rejected(ThrowingCallable parse, int status, String message) {
    assertThatThrownBy(parse).isInstanceOf(OpenAiError.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((OpenAiError) e).status()).isEqualTo(status));
  }

  @Test
  void theSameRulesAnswerBothDialectsAlike() {
    for (RequestRules rules : List.of(ENGINE, GATEWAY)) {
      rejected(() -> completion(rules, "{\"prompt\":\"x\",\"max_tokens\":0}"), 400,
          "max_tokens must be at least 1, got 0.");
      rejected(() -> completion(rules, "{\"prompt\":\"x\",\"n\":2}"), 400, "n > 1");
      rejected(() -> completion(rules, "{\"prompt\":\"x\",\"stream_options\":{}}"), 400,
          "Stream options can only be defined when `stream=True`.");
      rejected(() -> completion(rules, "{\"prompt\":[1,99999999]}"), 400, "out of vocabulary");
      rejected(() -> completion(rules, "{\"prompt\":\"x\",\"temperature\":-1}"), 400,
          "temperature must be non-negative");
      rejected(() -> completion(rules, "{\"prompt\":[1,2,3],\"max_tokens\":1022}"), 400,
          "'max_tokens' or 'max_completion_tokens' is too large: 1022.");
      rejected(() -> chat(rules, "{\"messages\":[{\"role\":\"user\",\"content\":"
          + "[{\"text\":\"no type\"}]}]}"), 400, "content parts must be");
      rejected(() -> chat(rules, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
          + "\"chat_template_kwargs\":\"on\"}"), 400, "chat_template_kwargs");
    }
  }

  @Test
  void whereTheDialectsDiffer() {
    // The engine serves its own models; the gateway routes any model string.
    rejected(() -> completion(ENGINE, "{\"model\":\"other\",\"prompt\":\"x\"}"), 404,
        "The model `other` does not exist.");
    assertThat(completion(GATEWAY, "{\"model\":\"other\",\"prompt\":\"x\"}").model())
        .isEqualTo("other");
    // An engine takes several prompts; the gateway one.
    assertThat(completion(ENGINE, "{\"prompt\":[\"a\",\"b\"]}").prompts()).hasSize(2);
    rejected(() -> completion(GATEWAY, "{\"prompt\":[\"a\",\"b\"]}"), 400, "one prompt");
    // Priority orders the gateway's queue; an engine without priority scheduling refuses it.
    assertThat(completion(GATEWAY, "{\"prompt\":\"x\",\"priority\":-3}").priority()).isEqualTo(-3);
    rejected(() -> completion(ENGINE, "{\"prompt\":\"x\",\"priority\":3}"), 400, "Priority");
    // An absent max_tokens: 16 for an engine's completion; the engine decides behind a gateway.
    assertThat(completion(ENGINE, "{\"prompt\":[1,2]}").resolvedMaxTokens()).isEqualTo(16);
    assertThat(completion(GATEWAY, "{\"prompt\":[1,2]}").resolvedMaxTokens()).isEqualTo(-1);
    assertThat(chat(GATEWAY, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .resolvedMaxTokens()).isEqualTo(1024 - BUILTIN.encode(
            ChatTemplate.CHATML.render(List.of(Map.of("role", "user", "content", "hi")),
                Map.of())).length);
    // The largest logprobs is an engine setting the gateway does not know.
    rejected(() -> completion(ENGINE, "{\"prompt\":\"x\",\"logprobs\":50}"), 400,
        "greater than max allowed: 20");
    assertThat(completion(GATEWAY, "{\"prompt\":\"x\",\"logprobs\":50}")).isNotNull();
  }

  @Test
  void everyFieldOfAMessageReachesTheTemplate() {
    List<Map<String, ?>> seen = new ArrayList<>();
    Map<String, Object> variables = new java.util.HashMap<>();
    Tokenizer recording = new Tokenizer() {
      @Override
      public int[] encode(String text) {
        return BUILTIN.encode(text);
      }

      @Override
      public int vocabSize() {
        return BUILTIN.vocabSize();
      }

      @Override
      public ChatTemplate chatTemplate() {
        return (messages, vars) -> {
          seen.addAll(messages);
          variables.putAll(vars);
          return "rendered";
        };
      }
    };
    RequestRules rules = RequestRules.gateway(recording, 0);
    chat(rules, "{\"messages\":[{\"role\":\"assistant\",\"content\":[\"a\","
        + "{\"type\":\"text\",\"text\":\"b\"}],\"tool_calls\":[{\"id\":\"t1\"}],"
        + "\"reasoning_content\":\"why\"}],\"chat_template_kwargs\":{\"enable_thinking\":false,"
        + "\"nested\":{\"k\":[1]}},\"tools\":[{\"type\":\"function\"}]}");
    assertThat(seen).hasSize(1);
    Map<String, ?> message = seen.get(0);
    assertThat(message.get("content")).isEqualTo("ab");
    assertThat(message.get("reasoning_content")).isEqualTo("why");
    assertThat(seen.get(0).get("tool_calls")).isInstanceOf(List.class);
    assertThat(variables).containsEntry("enable_thinking", false)
        .containsEntry("add_generation_prompt", true).containsKey("tools");
    assertThat(variables.get("nested")).isInstanceOf(Map.class);
  }

  @Test
  void streamAndUsage() {
    OpenAiRequest request = completion(GATEWAY, "{\"prompt\":\"x\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":true}}");
    assertThat(request.stream()).isTrue();
    assertThat(request.includeUsage()).isTrue();
    assertThat(request.continuousUsage()).isTrue();
    assertThat(completion(GATEWAY, "{\"prompt\":\"x\",\"stream\":true,\"stream_options\":"
        + "{\"include_usage\":false}}").includeUsage()).isFalse();
    assertThat(completion(GATEWAY, "{\"prompt\":\"x\",\"stream\":true}").includeUsage())
        .isFalse();
  }
}
