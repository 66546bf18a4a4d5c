package io.llumnix.enginesim.api;

import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.OutputWords;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.openai.BodyWriter;
import io.llumnix.openai.ChunkWriter;
import io.llumnix.openai.Dialect;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.OpenAiRequest;
import io.llumnix.openai.Sse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP call to an engine: its prompts run as engine requests; their tokens go out as SSE
 * chunks or are gathered into one JSON body, in vLLM's shapes. The client going away aborts
 * whatever still runs. Runs on the engine's event loop.
 */
final class Generation implements RequestListener {


  private final HttpServerResponse response;
  private final OpenAiRequest request;
  private final OpenAiRoutes.Disaggregation part;
  private final String id;
  private final String baseId;
  private final String model;
  private final EngineHandle engine;
  private final KvTransferClient kvTransfer;
  private final long created = System.currentTimeMillis() / 1000;
  private final ChunkWriter chunks;
  private final SimRequest[] engineRequests;
  private final @Nullable StringBuilder[] texts;
  private int unfinished;
  private boolean closed;
  private KvTransferClient.@Nullable Transfer transfer;
  /** Tells the prefill engine to stop sending, once its transfer was accepted. */
  private @Nullable Runnable dropKv;
  private int errorStatus = 500;
  /** The text of a request's last token, between its onToken and its onFinish. */
  private @Nullable String pendingText;

  Generation(HttpServerResponse response, OpenAiRequest request,
      OpenAiRoutes.Disaggregation part, String baseId, String model, EngineHandle engine,
      KvTransferClient kvTransfer) {
    this.response = response;
    this.request = request;
    this.part = part;
    this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + baseId;
    this.baseId = baseId;
    this.model = model;
    this.engine = engine;
    this.kvTransfer = kvTransfer;
    this.chunks = ChunkWriter.of(request.chat(), id, created, model);
    int count = request.prompts().size();
    this.engineRequests = new SimRequest[count];
    this.texts = new StringBuilder[count];
    this.unfinished = count;
  }

  /** The engine's id of prompt {@code index} of {@code count}. */
  static String engineId(String baseId, int index, int count) {
    return count == 1 ? baseId : baseId + "-" + index;
  }

  void start() {
    response.putHeader(OpenAiRoutes.X_REQUEST_ID, baseId);
    if (request.stream()) {
      response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.EVENT_STREAM);
    }
    response.closeHandler(ignored -> {
      closed = true;
      if (transfer != null) {
        transfer.cancel();
      }
      Runnable dropped = dropKv;
      if (dropped != null) {
        dropped.run();
      }
      for (SimRequest r : engineRequests) {
        if (r != null && r.finishReason() == null) {
          engine.abort(r.id());
        }
      }
    });
    int count = request.prompts().size();
    int maxTokens = request.resolvedMaxTokens();
    for (int i = 0; i < count; i++) {
      int[] prompt = request.prompts().get(i);
      int outputLength = request.ignoreEos() ? maxTokens
          : Math.max(1, Math.min(maxTokens, engine.drawOutputLength(maxTokens)));
      long seed = OutputWords.mix(Arrays.hashCode(prompt) * 31L + request.seed());
      SimRequest r = new SimRequest(engineId(baseId, i, count), prompt, maxTokens,
          request.maxTokens() != null, request.minTokens(), outputLength, request.stop(),
          request.stopTokenIds(), seed, this);
      if (part == OpenAiRoutes.Disaggregation.PREFILL_FOR_REMOTE_DECODE) {
        r.holdBlocksOnFinish(true);
      } else if (part != OpenAiRoutes.Disaggregation.NONE) {
        r.remoteKvReadyAt(Long.MAX_VALUE);
      }
      engineRequests[i] = r;
      if (!request.stream()) {
        texts[i] = new StringBuilder();
      }
    }
    if (request.stream() && request.chat()) {
      response.write(chunks.role(0, continuousUsage()));
    }
    for (SimRequest r : engineRequests) {
      engine.submit(r);
    }
    if (part == OpenAiRoutes.Disaggregation.DECODE_PULL
        || part == OpenAiRoutes.Disaggregation.DECODE_ASK_PREFILL) {
      startTransfer(engineRequests[0]);
    }
  }

  private void startTransfer(SimRequest r) {
    JsonObject kv = request.kvTransferParams();
    String host = kv.getString("remote_host");
    int port = kv.getNumber("remote_port").intValue();
    // The prefill engine holds the KV under its own id of the request, when it named one.
    String heldId = part == OpenAiRoutes.Disaggregation.DECODE_PULL
        && kv.getValue("remote_request_id") instanceof String remoteId ? remoteId : r.id();
    KvTransferClient.Transfer t = part == OpenAiRoutes.Disaggregation.DECODE_PULL
        ? kvTransfer.pull(host, port, heldId)
        : kvTransfer.prefill(host, port, r.id(), request.prompts().get(0));
    transfer = t;
    t.result().onComplete(ar -> {
      transfer = null;
      if (ar.succeeded()) {
        // Until the KV is in, a client that leaves frees the sender's blocks too.
        dropKv = () -> {
          if (r.finishReason() == null && r.numOutputTokens() == 0) {
            kvTransfer.abort(host, port, heldId);
          }
        };
        engine.remoteKvReady(r.id(), ar.result());
      } else {
        errorStatus = ar.cause() instanceof OpenAiError e ? e.status() : 500;
        engine.fail(r.id(), ar.cause().getMessage());
      }
    });
  }

  private int index(SimRequest r) {
    for (int i = 0; i < engineRequests.length; i++) {
      if (engineRequests[i] == r) {
        return i;
      }
    }
    throw new IllegalStateException("unknown request " + r.id());
  }

  @Override
  public void onToken(SimRequest r, String text, long timeNanos) {
    if (closed) {
      return;
    }
    if (!request.stream()) {
      texts[index(r)].append(text);
      return;
    }
    // The last token's chunk carries the finish reason, so onFinish sends it.
    if (engine.truncatesStreams()) {
      closed = true;
      for (SimRequest running : engineRequests) {
        engine.abort(running.id());
      }
      response.end(); // 200 and headers out, no token, no finish, no [DONE]
      return;
    }
    if (r.finishReason() == null) {
      response.write(chunks.tokenText(index(r), text, null, "null",
          continuousUsage()));
    } else {
      pendingText = text;
    }
  }

  @Override
  public void onFinish(SimRequest r, FinishReason reason, long timeNanos) {
    unfinished--;
    if (closed) {
      return;
    }
    int index = index(r);
    if (reason == FinishReason.ERROR) {
      failed(r);
      return;
    }
    if (request.stream()) {
      String text = pendingText == null ? "" : pendingText;
      pendingText = null;
      response.write(chunks.tokenText(index, text, reason.label(),
          ChunkWriter.stopReasonLiteral(r.stopReason()), continuousUsage()));
      if (unfinished == 0) {
        if (request.includeUsage()) {
          response.write(chunks.usage(usage()));
        }
        response.end(Sse.done());
      }
    } else if (unfinished == 0) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON).end(fullResponse());
    }
  }

  /** Ends the call with the error that ended {@code r}: as a status, or as an SSE event. */
  private void failed(SimRequest r) {
    closed = true;
    for (SimRequest other : engineRequests) {
      if (other != r && other.finishReason() == null) {
        engine.abort(other.id());
      }
    }
    String message = r.errorMessage() == null ? "request failed" : r.errorMessage();
    OpenAiError.of(errorStatus, message).end(response);
  }

  private @Nullable String continuousUsage() {
    return request.continuousUsage() ? usage() : null;
  }

  private String usage() {
    int prompt = 0;
    int completion = 0;
    for (SimRequest r : engineRequests) {
      prompt += r.numPromptTokens();
      completion += r.numOutputTokens();
    }
    return ChunkWriter.usageLiteral(prompt, completion);
  }

  private io.vertx.core.buffer.Buffer fullResponse() {
    BodyWriter body = new BodyWriter(request.chat(), id, created, model, Dialect.ENGINE);
    int prompt = 0;
    int completion = 0;
    for (int i = 0; i < engineRequests.length; i++) {
      SimRequest r = engineRequests[i];
      body.choice(i, texts[i], r.finishReason().label(),
          ChunkWriter.stopReasonLiteral(r.stopReason()));
      prompt += r.numPromptTokens();
      completion += r.numOutputTokens();
    }
    return body.end(prompt, completion, kvTransferParams());
  }

  /** The parameters a decode instance needs to fetch this prefill's KV, or null. */
  private @Nullable String kvTransferParams() {
    JsonObject kv = request.kvTransferParams();
    SimRequest r = engineRequests[0];
    if (kv == null || !Boolean.TRUE.equals(kv.getValue("do_remote_decode"))
        || !r.holdsBlocksOnFinish() || r.finishReason() != FinishReason.LENGTH) {
      return null;
    }
    return new JsonObject()
        .put("do_remote_prefill", true)
        .put("do_remote_decode", false)
        .put("remote_block_ids", new JsonArray(Arrays.stream(r.blockIds()).boxed().toList()))
        .put("remote_engine_id", engine.engineId())
        .put("remote_host", engine.kvTransferHost())
        .put("remote_port", engine.kvTransferPort())
        .put("remote_request_id", r.id())
        .put("tp_size", 1)
        .encode();
  }
}
