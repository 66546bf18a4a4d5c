package io.llumnix.enginesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Prompts are counted by a HuggingFace tokenizer when one is given, else by the built-in. */
class TokenizerIntegrationTest {

  static final String TINY = Path.of("../tokenizer/src/test/resources/tiny-tokenizer").toAbsolutePath()
      .toString();

  @Test
  void huggingFaceTokenizerCountsThePrompt() throws Exception {
    assertThat(TokenizerSource.folder(TINY).load().encode("hello world, the quick fox"))
        .containsExactly(1, 2, 0, 3, 4, 5);

    EngineSettings settings = EngineSettings.builder().model("m").outputLengthMean(0)
        .tokenizer(TokenizerSource.folder(TINY)).core(CoreConfig.builder()
            .maxNumBatchedTokens(2048).maxNumSeqs(64).numGpuBlocks(1024).maxModelLen(1024)
            .profile(StepProfile.INSTANT).seed(1).build())
        .build();
    Vertx vertx = Vertx.vertx();
    try (EngineSimulator simulator = EngineSimulator.start(settings, "127.0.0.1", 0, 1, 20000)) {
      JsonObject body = WebClient.create(vertx)
          .post(simulator.ports().get(0), "127.0.0.1", "/v1/completions")
          .sendJsonObject(new JsonObject().put("prompt", "hello world hello").put("max_tokens", 2))
          .await(10, TimeUnit.SECONDS).bodyAsJsonObject();
      assertThat(body.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(3);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void builtInTokenizerIsDeterministicWithBpeLikeCounts() {
    Tokenizer builtin = TokenizerSource.BUILTIN.load();
    String text = "The quick brown fox jumps over the lazy dog.";
    assertThat(builtin.encode(text)).containsExactly(builtin.encode(text));
    // About one token per short word, more for long ones, one per punctuation mark.
    assertThat(builtin.encode(text)).hasSize(10);
    assertThat(builtin.encode("internationalization")).hasSize(4);
  }

  @Test
  void aFolderWithoutTokenizerJsonIsAClearError() {
    assertThatThrownBy(() -> TokenizerSource.folder("/nonexistent").load())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenizer.json");
  }
}
