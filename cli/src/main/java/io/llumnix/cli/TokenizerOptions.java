package io.llumnix.cli;

import io.llumnix.tokenizer.TokenizerSource;
import picocli.CommandLine.Option;

/** Which tokenizer counts prompts and renders chats; shared by the gateway and engine-sim. */
final class TokenizerOptions {

  @Option(names = "--tokenizer-path", defaultValue = "",
      description = "Folder with a HuggingFace tokenizer.json (and tokenizer_config.json for the "
          + "chat template); overrides --tokenizer-name.")
  String path;

  @Option(names = "--tokenizer-name", defaultValue = "qwen3",
      description = "A built-in tokenizer: qwen3 (Qwen3's tokenizer and chat template) or "
          + "builtin (a fast hash tokenizer with BPE-like counts and ChatML).")
  String name;

  TokenizerSource source() {
    return path.isEmpty() ? new TokenizerSource("", name) : TokenizerSource.folder(path);
  }
}
