package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Qwen3's chat template (the one the gateway and the engine load by default), fuzzed with the
 * conversations a chat request can carry. An input is the chat part of a request body,
 * {@code {"messages":[...],"tools":[...],"chat_template_kwargs":{...},
 * "add_generation_prompt":...}}, handed to the template as the openai module hands it over:
 * JSON as maps and lists, each message's content as text, any role and any other message
 * field (tool calls, reasoning, names) and any kwargs as they came. Whatever the conversation,
 * {@link ChatTemplate#render} returns a prompt or throws {@link ChatTemplate.TemplateException}
 * (the client's 400): nothing else, and not slowly. The inputs under
 * {@code ChatTemplateFuzzTestInputs/} are chats as clients send them.
 */
class ChatTemplateFuzzTest {

  static final ChatTemplate QWEN3 = TokenizerSource.DEFAULT.load().chatTemplate();
  /** Jackson's limits (nesting depth 1000) are those of the gateway's body decoder too. */
  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest(maxDuration = "20s")
  @Timeout(10) // per input: a render this slow is a finding
  @DictionaryEntries({"\"role\"", "\"content\"", "\"system\"", "\"user\"", "\"assistant\"",
      "\"tool\"", "\"tool_calls\"", "\"function\"", "\"name\"", "\"arguments\"",
      "\"reasoning_content\"", "\"tool_call_id\"", "\"tools\"", "\"enable_thinking\"",
      "\"chat_template_kwargs\"", "\"add_generation_prompt\"", "<think>", "</think>",
      "<tool_response>", "</tool_response>", "null", "false", "{}", "[]"})
  void rendersOrRefuses(byte[] body) {
    Map<String, Object> chat;
    try {
      if (!(JSON.readValue(body, Object.class) instanceof Map<?, ?> map)) {
        return;
      }
      chat = strings(map);
    } catch (IOException notJson) {
      return; // refused before any template runs
    }
    if (!(chat.get("messages") instanceof List<?> items) || items.isEmpty()) {
      return;
    }
    List<Map<String, Object>> messages = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> fields)) {
        return;
      }
      Map<String, Object> message = strings(fields);
      Object content = message.get("content");
      message.put("content", content instanceof String s ? s
          : content == null ? "" : String.valueOf(content));
      message.putIfAbsent("role", "user");
      messages.add(message);
    }
    Map<String, Object> variables = new HashMap<>();
    if (chat.get("chat_template_kwargs") instanceof Map<?, ?> kwargs) {
      variables.putAll(strings(kwargs));
    }
    variables.put("add_generation_prompt", !Boolean.FALSE.equals(
        chat.get("add_generation_prompt")));
    if (chat.get("tools") instanceof List<?> tools && !tools.isEmpty()) {
      variables.put("tools", tools);
    }
    try {
      assertThat(QWEN3.render(messages, variables)).isNotNull();
    } catch (ChatTemplate.TemplateException refused) {
      // the client's 400
    }
  }

  /** JSON object keys are strings; the cast is only for the compiler. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> strings(Map<?, ?> map) {
    return new HashMap<>((Map<String, Object>) map);
  }
}
