package io.llumnix.tokenizer;

import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A HuggingFace {@code tokenizer.json} run by DJL's native tokenizers library, with the chat
 * template of its {@code tokenizer_config.json} (ChatML when it has none). The text between
 * added tokens is encoded through a {@link SegmentCache} when the tokenizer allows it, and by
 * {@link ByteLevelBpe} in Java (ten times faster than a call into the native library) when the
 * file's rules are the ones it runs.
 */
final class HuggingFaceTokenizer implements Tokenizer {

  /** Special tokens are part of the rendered chat text already; none are added. */
  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false");
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * DJL probes for CUDA on load and logs warnings ("Failed to detect GPU count") that say
   * nothing about tokenizing; only its errors are shown. Held here so the level sticks.
   */
  private static final Logger DJL_LOG = quiet(Logger.getLogger("ai.djl"));

  /** Held so that its native tokenizer, {@link #handle}, lives as long as this. */
  private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate;
  private final long handle;
  private final int vocabSize;
  private final ChatTemplate chatTemplate;
  /** Null when this tokenizer's added tokens do not allow encoding text piece by piece. */
  private final @Nullable SegmentCache segments;
  /** The text between added tokens encoded in Java; null when the file's rules are others. */
  private final @Nullable ByteLevelBpe bpe;
  /** Without added tokens all text is between them, and {@link #encodeSegment} takes it whole. */
  private final boolean noAddedTokens;

  private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate,
      int vocabSize, ChatTemplate chatTemplate, TokenizerJson file) {
    AddedTokens addedTokens = file.addedTokens();
    ByteLevelBpe bpe = file.bpe();
    this.delegate = delegate;
    this.handle = delegate.getHandle();
    this.vocabSize = vocabSize;
    this.chatTemplate = chatTemplate;
    this.bpe = bpe != null && bpe.agreesWith(this::encodeWhole) ? bpe : null;
    this.noAddedTokens = addedTokens.ids().isEmpty() && addedTokens.exact();
    this.segments = SegmentCache.of(addedTokens.ids(), addedTokens.exact(), this::encodeSegment,
        this::encodeWhole);
  }

  static HuggingFaceTokenizer fromFolder(Path folder) {
    try {
      Path json = folder.resolve("tokenizer.json");
      var delegate = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(json,
          OPTIONS);
      TokenizerJson file;
      try (InputStream in = Files.newInputStream(json)) {
        file = TokenizerJson.read(in);
      }
      Path config = folder.resolve("tokenizer_config.json");
      Path modelConfig = folder.resolve("config.json");
      // Without the model's config.json the embedding size is unknown: accept every id.
      int vocabSize = Files.isRegularFile(modelConfig)
          ? JSON.readTree(modelConfig.toFile()).path("vocab_size").asInt(Integer.MAX_VALUE)
          : Integer.MAX_VALUE;
      return new HuggingFaceTokenizer(delegate, vocabSize, Files.isRegularFile(config)
          ? chatTemplate(JSON.readTree(config.toFile())) : ChatTemplate.CHATML, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer from " + folder, e);
    }
  }

  private static Logger quiet(Logger logger) {
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  /** One of the tokenizers shipped in this jar, under {@code io/llumnix/tokenizer/NAME/}. */
  static HuggingFaceTokenizer fromResources(String name, int vocabSize) {
    String folder = name + "/";
    try (InputStream gzipped = new GZIPInputStream(resource(folder + "tokenizer.json.gz"));
        InputStream config = resource(folder + "tokenizer_config.json")) {
      byte[] json = gzipped.readAllBytes();
      var delegate = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(json), OPTIONS);
      return new HuggingFaceTokenizer(delegate, vocabSize, chatTemplate(JSON.readTree(config)),
          TokenizerJson.read(new ByteArrayInputStream(json)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the built-in tokenizer " + name, e);
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = HuggingFaceTokenizer.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("missing resource " + name);
    }
    return in;
  }

  /** The config's template; ChatML when it names none. */
  private static ChatTemplate chatTemplate(JsonNode config) {
    String source = templateSource(config.path("chat_template"));
    if (source == null) {
      return ChatTemplate.CHATML;
    }
    Map<String, Object> constants = new HashMap<>();
    for (String token : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
      JsonNode value = config.path(token);
      // Either "text" or an AddedToken object {"content": "text", ...}.
      String text = value.isTextual() ? value.asText() : value.path("content").asText("");
      constants.put(token, text);
    }
    return new JinjaChatTemplate(source, constants);
  }

  /** A template string, or among named templates (a list of {name, template}) the default. */
  private static @Nullable String templateSource(JsonNode node) {
    if (node.isTextual()) {
      return node.asText();
    }
    for (JsonNode named : node) {
      if ("default".equals(named.path("name").asText())) {
        return named.path("template").asText();
      }
    }
    return null;
  }

  @Override
  public int[] encode(String text) {
    if (segments != null) {
      return segments.encode(text);
    }
    return noAddedTokens ? encodeSegment(text) : encodeWhole(text);
  }

  /** Whether text is encoded piece by piece through the cache. */
  boolean segmented() {
    return segments != null;
  }

  /** Whether the text between added tokens is encoded in Java rather than natively. */
  boolean encodesInJava() {
    return bpe != null && (segments != null || noAddedTokens);
  }

  /** The ids of {@code text}, which holds no added token: in Java where it can be. */
  private int[] encodeSegment(String text) {
    int[] ids = bpe != null ? bpe.encode(text) : null;
    return ids != null ? ids : encodeWhole(text);
  }

  /** The ids of {@code text} in one call to the native tokenizer, without the cache. */
  int[] encodeWhole(String text) {
    // Only the ids cross from native memory: DJL's Encoding would also copy out the tokens as
    // strings, the masks and the character spans, a quarter of the time of a chat prompt.
    long encoding = TokenizersLibrary.LIB.encode(handle, text, false);
    try {
      long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
      int[] result = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        result[i] = (int) ids[i];
      }
      return result;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public ChatTemplate chatTemplate() {
    return chatTemplate;
  }
}
