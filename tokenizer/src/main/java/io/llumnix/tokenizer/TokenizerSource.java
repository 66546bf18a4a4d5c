package io.llumnix.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a tokenizer comes from: a HuggingFace model folder ({@code --tokenizer-path}), or one
 * built into Llumnix by name ({@code --tokenizer-name}). A path wins over a name.
 *
 * @param path a folder with {@code tokenizer.json} (and usually {@code tokenizer_config.json}
 *     with the chat template); "" for none
 * @param name a built-in tokenizer: {@code qwen3} (Qwen3's real tokenizer and chat template) or
 *     {@code builtin} (a fast hash tokenizer with BPE-like counts and ChatML)
 */
public record TokenizerSource(String path, String name) {

  /** Names accepted by {@link #name()}. */
  public static final List<String> NAMES = List.of("qwen3", "builtin");

  /** Qwen3's tokenizer, used when neither flag is given. */
  public static final TokenizerSource DEFAULT = new TokenizerSource("", "qwen3");

  /** The fast hash tokenizer; tests and benchmarks that need no real vocabulary use it. */
  public static final TokenizerSource BUILTIN = new TokenizerSource("", "builtin");

  public TokenizerSource {
    if (path.isEmpty() && !NAMES.contains(name)) {
      throw new IllegalArgumentException("tokenizer name: " + name + " (expected one of: "
          + String.join(", ", NAMES) + ")");
    }
  }

  /** A HuggingFace tokenizer folder. */
  public static TokenizerSource folder(String path) {
    return new TokenizerSource(path, "");
  }

  /**
   * The tokenizer. Built-in ones are loaded once per process and shared.
   *
   * @throws IllegalArgumentException when the folder has no {@code tokenizer.json} or its chat
   *     template does not render
   */
  public Tokenizer load() {
    if (!path.isEmpty()) {
      Path folder = Path.of(path);
      if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
        throw new IllegalArgumentException(
            "tokenizer path: " + path + " (expected: a folder with tokenizer.json)");
      }
      return HuggingFaceTokenizer.fromFolder(folder);
    }
    return name.equals("builtin") ? new BuiltinTokenizer() : BundledQwen3.TOKENIZER;
  }

  /** Loaded on first use only: Qwen3's vocabulary costs ~0.5 s and tens of MB. */
  private static final class BundledQwen3 {
    static final Tokenizer TOKENIZER = HuggingFaceTokenizer.fromResources("qwen3", 151_936);
  }
}
