package io.llumnix.gateway.relay;

import io.llumnix.openai.CompletionChunk;
import io.llumnix.openai.Sse;
import io.llumnix.openai.SseDecoder;
import io.vertx.core.buffer.Buffer;

/**
 * The one decoder of an engine's {@code /v1/completions} stream: bytes in, typed chunks out
 * ({@link CompletionChunk}: text, finish, usage or error); {@code [DONE]} ends nothing by
 * itself, the finish reason does. A chunk that is not JSON is reported as an engine error. Not thread-safe: one per engine response.
 */
public final class EngineStream {

  /** Hears the chunks of one stream. */
  public interface Listener {
    /** The next chunk; {@code data} is its JSON as sent, for what the chunk does not keep. */
    void onChunk(CompletionChunk chunk, String data);
  }

  private final SseDecoder decoder;

  public EngineStream(Listener listener) {
    this.decoder = new SseDecoder(data -> {
      if (data.equals(Sse.DONE_DATA)) {
        return;
      }
      CompletionChunk chunk;
      try {
        chunk = CompletionChunk.read(data);
      } catch (IllegalArgumentException e) {
        chunk = CompletionChunk.error(502, "the engine sent an event that is not JSON: "
            + e.getMessage());
      }
      listener.onChunk(chunk, data);
    });
  }

  /** The next piece of the response body. */
  public void feed(Buffer piece) {
    decoder.feed(piece);
  }
}
