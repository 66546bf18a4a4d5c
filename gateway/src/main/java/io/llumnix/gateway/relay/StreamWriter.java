package io.llumnix.gateway.relay;

import io.llumnix.openai.ChunkWriter;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.Sse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * A streamed answer, chat ({@code chat.completion.chunk}, opened by the assistant's role) or
 * completion ({@code text_completion}): each engine chunk becomes one client chunk, its text
 * spliced as the engine escaped it; usage at the end when the client asked for it.
 */
final class StreamWriter extends ClientWriter {

  private final boolean chat;
  private final boolean includeUsage;
  private final String id;
  private final long created;
  private @Nullable ChunkWriter chunks;

  StreamWriter(HttpServerResponse response, boolean chat, boolean includeUsage, String id,
      long created) {
    super(response);
    this.chat = chat;
    this.includeUsage = includeUsage;
    this.id = id;
    this.created = created;
  }

  private ChunkWriter chunks(String model) {
    ChunkWriter writer = chunks;
    if (writer == null) {
      writer = ChunkWriter.of(chat, id, created, model);
      chunks = writer;
      response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.EVENT_STREAM);
      if (chat) {
        response.write(writer.role(0, null));
      }
    }
    return writer;
  }

  @Override
  public void choice(CompletionChunk chunk, String model) {
    response.write(chunks(model).token(0, chunk.textLiteral, chunk.finishReason,
        chunk.stopReasonLiteral, null));
  }

  @Override
  public void usage(CompletionChunk chunk, String model) {
    if (includeUsage && chunk.usageLiteral != null) {
      response.write(chunks(model).usage(chunk.usageLiteral));
    }
  }

  @Override
  public void finish(String model, int promptTokens, int completionTokens) {
    chunks(model);
    response.end(Sse.done());
  }
}
