package io.llumnix.gateway.forward;

import io.llumnix.gateway.relay.EngineStream;
import io.llumnix.openai.CompletionChunk;
import io.vertx.core.buffer.Buffer;
import org.jspecify.annotations.Nullable;

/** Hears an engine request: its chunks, then its end or its failure. */
public interface ForwardListener extends EngineStream.Listener {

  /** The engine ended its stream. */
  void onEnd();

  /** The engine request failed before its end. */
  void onFailure(Failure failure);

  /**
   * Whether the client has not taken what was written for it yet (its connection's write queue
   * is full): the engine's stream is then paused until {@link #whenWritable} calls back, so a
   * slow reader holds the engine's socket, not the gateway's memory.
   */
  default boolean clientBusy() {
    return false;
  }

  /** Runs {@code resume} once the client has taken what was queued for it. */
  default void whenWritable(Runnable resume) {
    resume.run();
  }

  /**
   * Why an engine request failed.
   *
   * @param status the status to answer with: the engine's, or 502 when it could not be reached
   * @param cause the {@code status_code} label of {@code request_retry_total}: the engine's
   *     status, or {@code network_error}
   * @param endpoint the engine's {@code host:port}, avoided when the request is retried
   * @param retryable whether another instance may be tried (the engine failed, not the client)
   * @param engineBody the engine's error body, relayed as it is when not retried; null for a
   *     transport failure
   */
  record Failure(int status, String cause, String message, String endpoint, boolean retryable,
      @Nullable Buffer engineBody) {

    /**
     * Whether the engine failed as a process or a connection does (unreachable, stream cut,
     * closed early, not answering), not as an answer: its instance should cool down.
     */
    public boolean transport() {
      return cause.equals(NETWORK_ERROR) && !endpoint.isEmpty();
    }

    /** The {@code cause} of a transport failure. */
    public static final String NETWORK_ERROR = "network_error";

    /** The engine at {@code endpoint} sent an error event in its stream. */
    public static Failure errorEvent(CompletionChunk chunk, String endpoint) {
      return new Failure(chunk.errorStatus, Integer.toString(chunk.errorStatus),
          chunk.errorMessage, endpoint, true, null);
    }

    /** The engine at {@code endpoint} closed its stream without a finish: not a hang. */
    public static Failure endedEarly(String endpoint) {
      return new Failure(502, NETWORK_ERROR, "engine " + endpoint + " ended the stream early",
          endpoint, true, null);
    }
  }
}
