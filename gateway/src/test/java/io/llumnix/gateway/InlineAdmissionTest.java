package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.tokenizer.ChatTemplate;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a request is admitted: a small one alone in the gateway on its event loop (handing it
 * to an admission thread and back would cost more than admitting it), any other on the
 * admission threads, so that no tokenizer holds up a loop that relays other requests.
 */
class InlineAdmissionTest {

  static Vertx vertx;
  static WebClient web;
  static EngineSimulator engine;
  static int gateway;
  /** The thread that tokenized each prompt, by the prompt's first word. */
  static final Map<String, String> tokenizedOn = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    engine = Fixtures.engine(1);
    Tokenizer builtin = TokenizerSource.BUILTIN.load();
    Tokenizer recording = new Tokenizer() {
      @Override
      public int[] encode(String text) {
        tokenizedOn.put(text.strip().split(" ", 2)[0], Thread.currentThread().getName());
        return builtin.encode(text);
      }

      @Override
      public int vocabSize() {
        return builtin.vocabSize();
      }

      @Override
      public ChatTemplate chatTemplate() {
        return builtin.chatTemplate();
      }
    };
    gateway = Fixtures.roundRobin(vertx, engine, recording).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  static Future<HttpResponse<Buffer>> complete(String prompt, int maxTokens) {
    return web.post(gateway, "127.0.0.1", "/v1/completions").sendJsonObject(new JsonObject()
        .put("model", "m").put("prompt", prompt).put("max_tokens", maxTokens)
        .put("ignore_eos", true).put("stream", true));
  }

  @Test
  void aSmallRequestAloneIsAdmittedOnTheEventLoopAndAnyOtherOnTheAdmissionThreads()
      throws Exception {
    assertThat(complete("alone in the gateway", 2).await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
    assertThat(tokenizedOn.get("alone")).startsWith("vert.x-eventloop-thread-");

    String large = "large " + "word ".repeat(GatewayServer.INLINE_ADMISSION_MAX_BYTES / 5);
    assertThat(complete(large, 2).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(tokenizedOn.get("large")).startsWith("llumnix-admission-");

    // One request streams (the engine takes seconds for its tokens) while the next arrives.
    Future<HttpResponse<Buffer>> streaming = complete("streaming request", 400);
    await().atMost(Duration.ofSeconds(10)).until(() -> tokenizedOn.containsKey("streaming"));
    assertThat(complete("second request", 2).await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
    assertThat(streaming.isComplete()).as("the first still streams").isFalse();
    assertThat(tokenizedOn.get("second")).startsWith("llumnix-admission-");
    assertThat(streaming.await(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
