package io.llumnix.gateway.relay;

import io.llumnix.openai.ChunkWriter;
import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.Sse;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * A streamed answer, chat ({@code chat.completion.chunk}, opened by the assistant's role) or
 * completion ({@code text_completion}): each engine chunk becomes one client chunk, its text
 * spliced as the engine escaped it; usage at the end when the client asked for it.
 *
 * <p>Design notes. The client chunks produced while the event loop handles one round of
 * reads leave in one write, from a task queued behind that round: a socket write costs far
 * more than a chunk's bytes (on loopback it also pays for the receiver's side), and an engine
 * that is ahead of the gateway, or a loop that fell behind, brings several chunks of one stream
 * in a round. Vert.x hands each HTTP chunk of the engine's body over separately, so the round,
 * not the handler call, is what groups them; a chunk waits at most for the rest of its round.
 * A round with one chunk writes it as it is, without a copy.
 */
final class StreamWriter extends ClientWriter {

  private final boolean chat;
  private final boolean includeUsage;
  private final String id;
  private final long created;
  private @Nullable ChunkWriter chunks;
  /** Chunks of the loop's current round, not written yet. */
  private @Nullable Buffer pending;
  /** Whether {@link #pending} is a buffer of ours (else the one chunk's own). */
  private boolean pendingCopied;
  private final Handler<Void> flushTask = ignored -> flush();
  /** The event loop the answer is written from, once known; null off a loop. */
  private @Nullable Context loop;

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
        hold(writer.role(0, null));
      }
    }
    return writer;
  }

  @Override
  public void choice(CompletionChunk chunk, String model) {
    hold(chunks(model).token(0, chunk.textLiteral, chunk.finishReason,
        chunk.stopReasonLiteral, null));
  }

  @Override
  public void usage(CompletionChunk chunk, String model) {
    if (includeUsage && chunk.usageLiteral != null) {
      hold(chunks(model).usage(chunk.usageLiteral));
    }
  }

  @Override
  public void finish(String model, int promptTokens, int completionTokens) {
    chunks(model);
    Buffer held = pending;
    pending = null;
    response.end(held == null ? Sse.done() : joined(held, Sse.done()));
  }

  @Override
  public void flush() {
    Buffer ready = pending;
    if (ready != null) {
      pending = null;
      if (!response.ended() && !response.closed()) { // the client may have left meanwhile
        response.write(ready);
      }
    }
  }

  /** Runs {@link #flush()} once the loop's current round is done, or now off a loop. */
  private void flushLater() {
    Context context = loop;
    if (context == null) {
      Context current = Vertx.currentContext();
      if (current == null || !current.isEventLoopContext()) {
        flush();
        return;
      }
      context = current;
      loop = current;
    }
    context.runOnContext(flushTask);
  }

  @Override
  boolean holding() {
    return pending != null;
  }

  private void hold(Buffer chunk) {
    Buffer held = pending;
    if (held == null) {
      pending = chunk;
      pendingCopied = false;
      flushLater();
      return;
    }
    pending = joined(held, chunk);
  }

  /** {@code held} with {@code more} after it, in a buffer of ours. */
  private Buffer joined(Buffer held, Buffer more) {
    if (!pendingCopied) {
      held = Buffer.buffer(4 * (held.length() + more.length())).appendBuffer(held);
      pendingCopied = true;
    }
    return held.appendBuffer(more);
  }
}
