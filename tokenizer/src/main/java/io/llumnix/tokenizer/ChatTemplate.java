package io.llumnix.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * Renders chat messages into one prompt, the way the model's tokenizer_config.json says.
 * Implementations are thread-safe.
 */
public interface ChatTemplate {

  /**
   * ChatML, the layout of Qwen models, for tokenizers that carry no template of their own.
   * Ends with the assistant's turn.
   */
  ChatTemplate CHATML = (messages, variables) -> {
    StringBuilder prompt = new StringBuilder();
    for (Map<String, ?> message : messages) {
      prompt.append("<|im_start|>").append(message.get("role")).append('\n')
          .append(message.get("content")).append("<|im_end|>\n");
    }
    if (!Boolean.FALSE.equals(variables.get("add_generation_prompt"))) {
      prompt.append("<|im_start|>assistant\n");
    }
    return prompt.toString();
  };

  /**
   * The prompt for {@code messages} (each with at least {@code role} and a string
   * {@code content}, plus whatever else the request's message carried, such as
   * {@code tool_calls}).
   *
   * @param variables further template variables: {@code add_generation_prompt} (true when
   *     absent), {@code tools}, and a request's {@code chat_template_kwargs}
   * @throws TemplateException when the template rejects the conversation
   */
  String render(List<? extends Map<String, ?>> messages, Map<String, ?> variables);

  /** A conversation the template refused, or a template that could not be evaluated. */
  final class TemplateException extends IllegalArgumentException {
    public TemplateException(String message) {
      super(message);
    }
  }
}
