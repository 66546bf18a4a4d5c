package io.llumnix.tokenizer;

import java.util.List;

/**
 * Renders chat messages into one prompt with the ChatML layout that Qwen models use, ending
 * with the assistant's turn, so token counts resemble a real chat prompt.
 */
public final class ChatTemplate {

  /** One chat message. */
  public record Message(String role, String content) {}

  private ChatTemplate() {}

  /** The prompt for {@code messages}, with the generation prompt appended. */
  public static String render(List<Message> messages) {
    StringBuilder prompt = new StringBuilder();
    for (Message message : messages) {
      prompt.append("<|im_start|>").append(message.role()).append('\n')
          .append(message.content()).append("<|im_end|>\n");
    }
    return prompt.append("<|im_start|>assistant\n").toString();
  }
}
