package io.llumnix.gateway.relay;

import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the client's answer in the shape it asked for: chat or completion, streamed or one
 * body. The engine always streams completions; a writer reshapes them. Not thread-safe: the
 * request's event loop calls it.
 */
public abstract sealed class ClientWriter permits StreamWriter, WholeBodyWriter {

  protected final HttpServerResponse response;

  ClientWriter(HttpServerResponse response) {
    this.response = response;
  }

  /**
   * The writer for the client's request.
   *
   * @param id the request id ({@code chatcmpl-}/{@code cmpl-} is prefixed)
   * @param created the answer's {@code created}, epoch seconds
   */
  public static ClientWriter of(HttpServerResponse response, boolean chat, boolean stream,
      boolean includeUsage, String id, long created) {
    String answerId = (chat ? "chatcmpl-" : "cmpl-") + id;
    return stream ? new StreamWriter(response, chat, includeUsage, answerId, created)
        : new WholeBodyWriter(response, chat, answerId, created);
  }

  /** A chunk with a choice: text, and the finish reason on the last. */
  public abstract void choice(CompletionChunk chunk, String model);

  /** The engine's usage chunk. */
  public abstract void usage(CompletionChunk chunk, String model);

  /**
   * Ends the answer after the engine finished; {@code promptTokens} and
   * {@code completionTokens} are the usage of a body.
   */
  public abstract void finish(String model, int promptTokens, int completionTokens);

  /** Writes what the chunks heard since the last write produced, if anything, now. */
  public void flush() {}

  /** Whether chunks are waiting for {@link #flush()}. */
  boolean holding() {
    return false;
  }

  /** Ends the answer with {@code error}: its status and JSON, or an error event and [DONE]. */
  public final void fail(OpenAiError error) {
    flush();
    error.end(response);
  }

  /** Ends the answer with the engine's own error status and body (before anything was sent). */
  public final void relayError(int status, Buffer body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON)
        .end(body);
  }

  /** Whether any byte of the answer went to the client: after that there is no retry. */
  public final boolean started() {
    return response.headWritten() || holding();
  }
}
