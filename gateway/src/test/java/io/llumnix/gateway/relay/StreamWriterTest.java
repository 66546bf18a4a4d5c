package io.llumnix.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The streamed writer over a real HTTP response: what it holds, and what the client reads. */
class StreamWriterTest {

  static Vertx vertx;
  static HttpClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static CompletionChunk token(String text, String finish) {
    return CompletionChunk.read("{\"id\":\"cmpl-e\",\"object\":\"text_completion\",\"created\":1,"
        + "\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"logprobs\":null,"
        + "\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"")
        + ",\"stop_reason\":null}],\"usage\":null}");
  }

  /** Serves one request with {@code answer}, returns the events the client read. */
  static List<String> serve(BiConsumer<HttpServerResponse, StreamWriter> answer)
      throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response();
      answer.accept(response, new StreamWriter(response, true, true, "chatcmpl-1", 7));
    });
    int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    try {
      // The chain is built on an event loop: built from this thread, its body handler could be
      // set after the loop had already read the whole (short) body, and the body never ends.
      Promise<Buffer> read = Promise.promise();
      vertx.runOnContext(ignored -> client.request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(request -> request.send())
          .compose(HttpClientResponse::body)
          .onComplete(read));
      Buffer body = read.future().await(10, TimeUnit.SECONDS);
      List<String> events = new ArrayList<>();
      for (String event : body.toString().split("\n\n")) {
        assertThat(event).startsWith("data: ");
        events.add(event.substring("data: ".length()));
      }
      return events;
    } finally {
      server.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theChunksOfOnePieceWaitForTheFlushAndArriveInOrder() throws Exception {
    List<Object> seen = new CopyOnWriteArrayList<>();
    List<String> events = serve((response, writer) -> {
      writer.choice(token("a", null), "m");
      writer.choice(token("b", null), "m");
      seen.add(response.headWritten());
      seen.add(writer.started()); // held chunks count: a failure now must not be retried
      writer.flush();
      seen.add(response.headWritten());
      seen.add(response.bytesWritten() > 0);
      writer.choice(token("c", "stop"), "m");
      writer.usage(CompletionChunk.read("{\"id\":\"cmpl-e\",\"object\":\"text_completion\","
          + "\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":2,"
          + "\"total_tokens\":5,\"completion_tokens\":3}}"), "m");
      writer.finish("m", 2, 3);
    });

    assertThat(seen).containsExactly(false, true, true, true);
    assertThat(events).hasSize(6).endsWith("[DONE]");
    JsonObject role = new JsonObject(events.get(0));
    assertThat(role.getString("id")).isEqualTo("chatcmpl-1");
    assertThat(role.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
        .getString("role")).isEqualTo("assistant");
    List<String> texts = new ArrayList<>();
    for (String event : events.subList(1, 4)) {
      JsonObject choice = new JsonObject(event).getJsonArray("choices").getJsonObject(0);
      texts.add(choice.getJsonObject("delta").getString("content"));
    }
    assertThat(texts).containsExactly("a", "b", "c");
    assertThat(new JsonObject(events.get(3)).getJsonArray("choices").getJsonObject(0)
        .getString("finish_reason")).isEqualTo("stop");
    assertThat(new JsonObject(events.get(4)).getJsonObject("usage")
        .getInteger("completion_tokens")).isEqualTo(3);
  }

  @Test
  void aFailureWritesWhatWasHeldBeforeItsErrorEvent() throws Exception {
    List<String> events = serve((response, writer) -> {
      writer.choice(token("a", null), "m");
      writer.fail(OpenAiError.of(502, "engine died"));
    });

    assertThat(events).hasSize(4).endsWith("[DONE]");
    assertThat(new JsonObject(events.get(1)).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("delta").getString("content")).isEqualTo("a");
    assertThat(new JsonObject(events.get(2)).getJsonObject("error").getString("message"))
        .contains("engine died");
  }
}
