package io.llumnix.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A HuggingFace {@code tokenizer.json} run by DJL's native tokenizers library. */
final class HuggingFaceTokenizer implements Tokenizer {

  private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate;
  private final int vocabSize;

  private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate,
      int vocabSize) {
    this.delegate = delegate;
    this.vocabSize = vocabSize;
  }

  static HuggingFaceTokenizer load(Path folder) {
    try {
      var delegate = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.builder()
          .optTokenizerPath(folder)
          .optAddSpecialTokens(false)
          .optTruncation(false)
          .build();
      return new HuggingFaceTokenizer(delegate, Integer.MAX_VALUE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer from " + folder, e);
    }
  }

  @Override
  public int[] encode(String text) {
    Encoding encoding = delegate.encode(text);
    long[] ids = encoding.getIds();
    int[] result = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      result[i] = (int) ids[i];
    }
    return result;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }
}
