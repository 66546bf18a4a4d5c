package io.llumnix.tokenizer;

/** Turns prompt text into token ids. Implementations are thread-safe. */
public interface Tokenizer {

  /** The token ids of {@code text}. */
  int[] encode(String text);

  /** Token ids are in {@code [0, vocabSize())}. */
  int vocabSize();

  /** How this tokenizer's model lays out a conversation. */
  default ChatTemplate chatTemplate() {
    return ChatTemplate.CHATML;
  }
}
