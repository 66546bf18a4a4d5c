package io.llumnix.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.tokenizer.Tokenizer;
import io.llumnix.tokenizer.TokenizerSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway with the shipped Qwen3 tokenizer: prompts count as vLLM would count them. */
class GatewayTokenizerIntegrationTest {

  static final Tokenizer QWEN3 = TokenizerSource.DEFAULT.load();
  static EngineSimulator engine;
  static Vertx vertx;
  static WebClient web;
  static int gateway;

  @BeforeAll
  static void start() throws Exception {
    engine = Fixtures.engine(20);
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    gateway = Fixtures.roundRobin(vertx, engine, QWEN3).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  static HttpResponse<Buffer> chat(JsonObject body) throws Exception {
    return web.post(gateway, "127.0.0.1", "/v1/chat/completions")
        .sendJsonObject(body.put("max_tokens", 2)).await(30, TimeUnit.SECONDS);
  }

  static JsonObject user(String content) {
    return new JsonObject().put("role", "user").put("content", content);
  }

  static int promptTokens(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonObject("usage").getInteger("prompt_tokens");
  }

  @Test
  void chatIsRenderedByQwensTemplateAndCountedByItsTokenizer() throws Exception {
    int tokens = promptTokens(chat(new JsonObject()
        .put("messages", new JsonArray().add(user("Hello world")))));
    assertThat(tokens).isEqualTo(
        QWEN3.encode("<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n").length);

    int withoutThinking = promptTokens(chat(new JsonObject()
        .put("messages", new JsonArray().add(user("Hello world")))
        .put("chat_template_kwargs", new JsonObject().put("enable_thinking", false))));
    assertThat(withoutThinking - tokens).isEqualTo(QWEN3.encode("<think>\n\n</think>\n\n").length);
  }

  @Test
  void aLongPromptIsCountedAsTheTokenizerCountsIt() throws Exception {
    String longText = "The scheduler spreads requests across instances. ".repeat(400);
    int tokens = promptTokens(web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("prompt", longText).put("max_tokens", 2))
        .await(30, TimeUnit.SECONDS));
    assertThat(tokens).isEqualTo(QWEN3.encode(longText).length).isGreaterThan(2000);

    HttpResponse<Buffer> bad = web.post(gateway, "127.0.0.1", "/v1/completions")
        .sendJsonObject(new JsonObject().put("prompt", longText).put("max_tokens", -1))
        .await(30, TimeUnit.SECONDS);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("param"))
        .isEqualTo("max_tokens");
  }

  @Test
  void malformedTemplateArgumentsAreAClientError() throws Exception {
    HttpResponse<Buffer> response = chat(new JsonObject()
        .put("messages", new JsonArray().add(user("hi")))
        .put("chat_template_kwargs", "enable_thinking"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("chat_template_kwargs");
  }
}
