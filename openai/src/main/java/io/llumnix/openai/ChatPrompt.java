package io.llumnix.openai;

import io.llumnix.tokenizer.ChatTemplate;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A chat's messages rendered by the model's template and tokenized, as vLLM does: every field a
 * message carries reaches the template (tool calls, reasoning), its content flattened to text;
 * {@code chat_template_kwargs} become template variables, as do {@code add_generation_prompt}
 * (true when absent) and {@code tools}.
 */
final class ChatPrompt {

  private static final Set<String> ROLES =
      Set.of("system", "user", "assistant", "tool", "developer", "function");

  private ChatPrompt() {}

  static int[] tokens(Fields f, Tokenizer tokenizer) {
    Object value = f.value("messages");
    if (value == null) {
      throw OpenAiError.badRequest("Field required: messages", "messages");
    }
    if (!(value instanceof JsonArray messages)) {
      throw OpenAiError.badRequest("messages: Input should be a valid list", "messages");
    }
    if (messages.isEmpty()) {
      throw OpenAiError.badRequest("messages: List should have at least 1 item", "messages");
    }
    List<Map<String, Object>> parsed = new ArrayList<>(messages.size());
    for (Object item : messages) {
      if (!(item instanceof JsonObject message)) {
        throw OpenAiError.badRequest("messages: each message should be an object", "messages");
      }
      if (!(message.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        throw OpenAiError.badRequest("messages: unknown role " + message.getValue("role")
            + " (expected one of: " + ROLES.stream().sorted().toList() + ")", "messages");
      }
      Map<String, Object> fields = Fields.plain(message);
      fields.put("content", content(message.getValue("content")));
      parsed.add(fields);
    }
    Map<String, Object> variables = new HashMap<>();
    JsonObject kwargs = f.object("chat_template_kwargs");
    if (kwargs != null) {
      variables.putAll(Fields.plain(kwargs));
    }
    Boolean generationPrompt = f.bool("add_generation_prompt");
    variables.put("add_generation_prompt", generationPrompt == null || generationPrompt);
    JsonArray tools = f.array("tools");
    if (tools != null && !tools.isEmpty()) {
      for (Object tool : tools) {
        if (!(tool instanceof JsonObject)) {
          throw OpenAiError.badRequest("tools: each tool should be an object", "tools");
        }
      }
      variables.put("tools", Fields.plain(tools));
    }
    String text;
    try {
      text = tokenizer.chatTemplate().render(parsed, variables);
    } catch (ChatTemplate.TemplateException e) {
      throw OpenAiError.badRequest(e.getMessage(), "messages");
    }
    return tokenizer.encode(text);
  }

  /** A message's content as text: a string, or text parts as vLLM accepts them. */
  private static String content(@Nullable Object content) {
    if (content == null) {
      return "";
    }
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof String s) {
          text.append(s);
        } else if (part instanceof JsonObject p && "text".equals(p.getValue("type"))
            && p.getValue("text") instanceof String t) {
          text.append(t);
        } else {
          throw OpenAiError.badRequest("messages: content parts must be {\"type\":\"text\","
              + "\"text\":...}", "messages");
        }
      }
      return text.toString();
    }
    throw OpenAiError.badRequest("messages: content should be a string or a list of parts",
        "messages");
  }
}
