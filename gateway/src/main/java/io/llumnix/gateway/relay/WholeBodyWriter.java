package io.llumnix.gateway.relay;

import io.llumnix.openai.BodyWriter;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.Dialect;
import io.llumnix.openai.MediaTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * A non-streamed answer, chat ({@code chat.completion}) or completion
 * ({@code text_completion}): the engine's chunks are gathered, and one JSON body is written when
 * the engine finishes.
 */
final class WholeBodyWriter extends ClientWriter {

  private final boolean chat;
  private final String id;
  private final long created;
  private final StringBuilder text = new StringBuilder();
  private String finishReason = "stop";
  private String stopReasonLiteral = "null";

  WholeBodyWriter(HttpServerResponse response, boolean chat, String id, long created) {
    super(response);
    this.chat = chat;
    this.id = id;
    this.created = created;
  }

  @Override
  public void choice(CompletionChunk chunk, String model) {
    if (!chunk.emptyText) {
      // Decoding the literal here costs once per chunk what a stream saves; bodies are rare.
      text.append(new JsonObject("{\"v\":" + chunk.textLiteral + "}").getString("v"));
    }
    if (chunk.finishReason != null) {
      finishReason = chunk.finishReason;
      stopReasonLiteral = chunk.stopReasonLiteral;
    }
  }

  @Override
  public void usage(CompletionChunk chunk, String model) {}

  @Override
  public void finish(String model, int promptTokens, int completionTokens) {
    Buffer body = new BodyWriter(chat, id, created, model, Dialect.GATEWAY)
        .choice(0, text, finishReason, stopReasonLiteral)
        .end(promptTokens, completionTokens, null);
    response.putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON).end(body);
  }
}
