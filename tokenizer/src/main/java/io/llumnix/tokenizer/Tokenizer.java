package io.llumnix.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Turns prompt text into token ids. Implementations are thread-safe. */
public interface Tokenizer {

  /** The token ids of {@code text}. */
  int[] encode(String text);

  /** Token ids are in {@code [0, vocabSize())}. */
  int vocabSize();

  /**
   * The HuggingFace tokenizer in {@code folder} (its {@code tokenizer.json}) when a folder is
   * given, else the built-in one.
   *
   * @throws IllegalArgumentException when the folder has no {@code tokenizer.json}
   */
  static Tokenizer load(String folder) {
    if (folder.isEmpty()) {
      return new BuiltinTokenizer();
    }
    Path json = Path.of(folder).resolve("tokenizer.json");
    if (!Files.isRegularFile(json)) {
      throw new IllegalArgumentException(
          "tokenizer path: " + folder + " (expected: a folder with tokenizer.json)");
    }
    return HuggingFaceTokenizer.load(Path.of(folder));
  }
}
