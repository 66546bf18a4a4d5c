package io.llumnix.enginesim.api;

import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.OutputWords;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * vLLM's OpenAI-compatible routes: {@code POST /v1/completions}, {@code POST
 * /v1/chat/completions}, {@code GET /v1/models}, {@code /health}, {@code /version}. Responses have
 * vLLM's shapes, chunk order and error JSON (engine-sim.md §2).
 */
public final class OpenAiRoutes {

  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private final EngineSettings settings;
  private final Tokenizer tokenizer;
  private final EngineHandle engine;
  private final KvTransferClient kvTransfer;
  private final long startedSeconds = System.currentTimeMillis() / 1000;

  /**
   * Creates the routes of one engine; {@code client} fetches KV from prefill engines when this
   * engine decodes a disaggregated request.
   */
  public OpenAiRoutes(EngineSettings settings, Tokenizer tokenizer, EngineHandle engine,
      io.vertx.core.Vertx vertx, io.vertx.core.http.HttpClient client) {
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.engine = engine;
    this.kvTransfer = new KvTransferClient(vertx, client,
        settings.kvTransfer().timeoutMillis());
  }

  /** Mounts the routes on {@code router}. */
  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024);
    router.post("/v1/completions").handler(body).handler(ctx -> generate(ctx, false));
    router.post("/v1/chat/completions").handler(body).handler(ctx -> generate(ctx, true));
    router.get("/v1/models").handler(this::models);
    router.get("/health").handler(ctx -> ctx.response().setStatusCode(200).end());
    router.get("/version").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end("{\"version\":\"" + settings.vllmVersion() + "\"}"));
  }

  private void models(RoutingContext ctx) {
    StringBuilder json = new StringBuilder(256).append("{\"object\":\"list\",\"data\":[{\"id\":");
    Json.string(json, settings.modelName()).append(",\"object\":\"model\",\"created\":")
        .append(startedSeconds).append(",\"owned_by\":\"vllm\",\"root\":");
    Json.string(json, settings.model()).append(",\"parent\":null,\"max_model_len\":")
        .append(settings.maxModelLen()).append(",\"permission\":[{\"id\":\"modelperm-")
        .append(UUID.randomUUID().toString().replace("-", ""))
        .append("\",\"object\":\"model_permission\",\"created\":").append(startedSeconds)
        .append(",\"allow_create_engine\":false,\"allow_sampling\":true,\"allow_logprobs\":true,"
            + "\"allow_search_indices\":false,\"allow_view\":true,\"allow_fine_tuning\":false,"
            + "\"organization\":\"*\",\"group\":null,\"is_blocking\":false}]}]}");
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(json.toString());
  }

  private void generate(RoutingContext ctx, boolean chat) {
    GenerateRequest request;
    JsonObject body;
    try {
      try {
        body = ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException e) {
        throw ApiError.badRequest("JSON decode error: the body must be a JSON object");
      }
      if (body == null) {
        throw ApiError.badRequest("JSON decode error: the body must be a JSON object");
      }
      request = GenerateRequest.parse(body, chat, settings, tokenizer);
      disaggregation(request);
    } catch (ApiError e) {
      error(ctx.response(), e);
      return;
    }
    String baseId = ctx.request().getHeader(X_REQUEST_ID);
    if (baseId == null || baseId.isEmpty()) {
      Object bodyId = body.getValue("request_id");
      baseId = bodyId instanceof String s && !s.isEmpty()
          ? s : UUID.randomUUID().toString().replace("-", "");
    }
    String id = (chat ? "chatcmpl-" : "cmpl-") + baseId;
    for (int i = 0; i < request.prompts().size(); i++) {
      if (engine.contains(engineId(baseId, i, request.prompts().size()))) {
        error(ctx.response(), ApiError.badRequest("Request id " + baseId + " is already running."));
        return;
      }
    }
    new Call(ctx.response(), request, id, baseId).start();
  }

  /** Which side of a disaggregated request this is; checks it fits this engine's role. */
  private Disaggregation disaggregation(GenerateRequest request) {
    JsonObject kv = request.kvTransferParams();
    if (kv == null) {
      return Disaggregation.NONE;
    }
    boolean remoteDecode = Boolean.TRUE.equals(kv.getValue("do_remote_decode"));
    boolean remotePrefill = Boolean.TRUE.equals(kv.getValue("do_remote_prefill"));
    Object host = kv.getValue("remote_host");
    Object port = kv.getValue("remote_port");
    KvTransferSettings.Role role = settings.kvTransfer().role();
    if (remoteDecode && remotePrefill) {
      throw ApiError.badRequest("kv_transfer_params: do_remote_decode and do_remote_prefill "
          + "cannot both be true", "kv_transfer_params");
    }
    if (remoteDecode) {
      if (role == KvTransferSettings.Role.DECODE) {
        throw ApiError.badRequest("kv_transfer_params.do_remote_decode needs a prefill or "
            + "neutral engine; this engine's kv role is decode", "kv_transfer_params");
      }
      return Disaggregation.PREFILL_FOR_REMOTE_DECODE;
    }
    if (host == null && port == null) {
      if (remotePrefill) {
        throw ApiError.badRequest("kv_transfer_params.do_remote_prefill needs remote_host and "
            + "remote_port", "kv_transfer_params");
      }
      return Disaggregation.NONE;
    }
    if (!(host instanceof String) || !(port instanceof Number)) {
      throw ApiError.badRequest("kv_transfer_params: remote_host should be a string and "
          + "remote_port an integer", "kv_transfer_params");
    }
    if (role == KvTransferSettings.Role.PREFILL) {
      throw ApiError.badRequest("kv_transfer_params: a remote prefill needs a decode or "
          + "neutral engine; this engine's kv role is prefill", "kv_transfer_params");
    }
    if (request.prompts().size() != 1) {
      throw ApiError.badRequest("kv_transfer_params: a disaggregated request has one prompt",
          "kv_transfer_params");
    }
    return remotePrefill ? Disaggregation.DECODE_PULL : Disaggregation.DECODE_ASK_PREFILL;
  }

  /** The part an engine plays in a disaggregated request. */
  private enum Disaggregation {
    NONE,
    /** Compute the prefill, then hold the blocks for a decode engine (two-stage, P). */
    PREFILL_FOR_REMOTE_DECODE,
    /** Pull the KV that a prefill engine already computed (two-stage, D). */
    DECODE_PULL,
    /** Have the prefill engine compute the prefill, then decode (single-stage, D). */
    DECODE_ASK_PREFILL
  }

  private static String engineId(String baseId, int index, int count) {
    return count == 1 ? baseId : baseId + "-" + index;
  }

  private static void error(HttpServerResponse response, ApiError e) {
    response.setStatusCode(e.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(e.toJson());
  }

  /**
   * One HTTP call: its prompts run as engine requests; their tokens go out as SSE chunks or are
   * gathered into one JSON body. The client going away aborts whatever still runs.
   */
  private final class Call implements RequestListener {
    private final HttpServerResponse response;
    private final GenerateRequest request;
    private final String id;
    private final String baseId;
    private final long created = System.currentTimeMillis() / 1000;
    private final SimRequest[] engineRequests;
    private final @Nullable StringBuilder[] texts;
    private int unfinished;
    private boolean closed;
    private KvTransferClient.@Nullable Transfer transfer;
    private int errorStatus = 500;

    Call(HttpServerResponse response, GenerateRequest request, String id, String baseId) {
      this.response = response;
      this.request = request;
      this.id = id;
      this.baseId = baseId;
      int count = request.prompts().size();
      this.engineRequests = new SimRequest[count];
      this.texts = new StringBuilder[count];
      this.unfinished = count;
    }

    void start() {
      response.putHeader(X_REQUEST_ID, baseId);
      if (request.stream()) {
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM);
      }
      response.closeHandler(ignored -> {
        closed = true;
        if (transfer != null) {
          transfer.cancel();
        }
        for (SimRequest r : engineRequests) {
          if (r != null && r.finishReason() == null) {
            engine.abort(r.id());
          }
        }
      });
      int count = request.prompts().size();
      for (int i = 0; i < count; i++) {
        int[] prompt = request.prompts().get(i);
        int outputLength = request.ignoreEos() ? request.maxTokens()
            : Math.max(1, Math.min(request.maxTokens(), engine.drawOutputLength(request.maxTokens())));
        long seed = OutputWords.mix(Arrays.hashCode(prompt) * 31L + request.seed());
        SimRequest r = new SimRequest(engineId(baseId, i, count), prompt, request.maxTokens(),
            request.maxTokensSet(), request.minTokens(), outputLength, request.stop(),
            request.stopTokenIds(), seed, this);
        Disaggregation part = disaggregation(request);
        if (part == Disaggregation.PREFILL_FOR_REMOTE_DECODE) {
          r.holdBlocksOnFinish(true);
        } else if (part != Disaggregation.NONE) {
          r.remoteKvReadyAt(Long.MAX_VALUE);
        }
        engineRequests[i] = r;
        if (!request.stream()) {
          texts[i] = new StringBuilder();
        }
      }
      if (request.stream() && request.chat()) {
        response.write(chunk(0, null, null, null, true));
      }
      for (SimRequest r : engineRequests) {
        engine.submit(r);
      }
      Disaggregation part = disaggregation(request);
      if (part == Disaggregation.DECODE_PULL || part == Disaggregation.DECODE_ASK_PREFILL) {
        startTransfer(part, engineRequests[0]);
      }
    }

    private void startTransfer(Disaggregation part, SimRequest r) {
      JsonObject kv = request.kvTransferParams();
      String host = kv.getString("remote_host");
      int port = kv.getNumber("remote_port").intValue();
      Object remoteId = kv.getValue("remote_request_id");
      KvTransferClient.Transfer t = part == Disaggregation.DECODE_PULL
          ? kvTransfer.pull(host, port, remoteId instanceof String s ? s : r.id())
          : kvTransfer.prefill(host, port, r.id(), request.prompts().get(0));
      transfer = t;
      t.result().onComplete(ar -> {
        transfer = null;
        if (ar.succeeded()) {
          engine.remoteKvReady(r.id(), ar.result());
        } else {
          errorStatus = ar.cause() instanceof ApiError e ? e.status() : 500;
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
      if (r.finishReason() == null) {
        response.write(chunk(index(r), text, null, null, false));
      } else {
        pendingText = text;
      }
    }

    /** The text of a request's last token, between its onToken and its onFinish. */
    private @Nullable String pendingText;

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
        response.write(chunk(index, text, reason.label(), r.stopReason(), false));
        if (unfinished == 0) {
          if (request.includeUsage()) {
            response.write(usageChunk());
          }
          response.end(DONE);
        }
      } else if (unfinished == 0) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(fullResponse());
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
      ApiError error = ApiError.of(errorStatus, message);
      if (!response.headWritten()) {
        response.setChunked(false).setStatusCode(error.status())
            .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(error.toJson());
      } else {
        response.write(Buffer.buffer("data: " + error.toJson() + "\n\n"));
        response.end(DONE);
      }
    }

    private Buffer chunk(int index, @Nullable String text, @Nullable String finishReason,
        @Nullable Object stopReason, boolean roleChunk) {
      StringBuilder json = new StringBuilder(256).append("data: {\"id\":");
      Json.string(json, id);
      json.append(request.chat() ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"text_completion\"")
          .append(",\"created\":").append(created).append(",\"model\":");
      Json.string(json, request.model()).append(",\"choices\":[{\"index\":").append(index);
      if (request.chat()) {
        json.append(",\"delta\":{");
        if (roleChunk) {
          json.append("\"role\":\"assistant\",\"content\":\"\"");
        } else if (text != null) {
          json.append("\"content\":");
          Json.string(json, text);
        }
        json.append("},\"logprobs\":null,\"finish_reason\":");
      } else {
        json.append(",\"text\":");
        Json.string(json, text == null ? "" : text);
        json.append(",\"logprobs\":null,\"finish_reason\":");
      }
      if (finishReason == null) {
        json.append("null");
      } else {
        json.append('"').append(finishReason).append('"');
      }
      if (finishReason != null || !request.chat()) {
        json.append(",\"stop_reason\":");
        stopReason(json, stopReason);
      }
      json.append("}]");
      if (request.continuousUsage()) {
        json.append(",\"usage\":");
        usage(json, false);
      } else if (!request.chat()) {
        json.append(",\"usage\":null");
      }
      return Buffer.buffer(json.append("}\n\n").toString());
    }

    private Buffer usageChunk() {
      StringBuilder json = new StringBuilder(256).append("data: {\"id\":");
      Json.string(json, id);
      json.append(request.chat() ? ",\"object\":\"chat.completion.chunk\"" : ",\"object\":\"text_completion\"")
          .append(",\"created\":").append(created).append(",\"model\":");
      Json.string(json, request.model()).append(",\"choices\":[],\"usage\":");
      usage(json, false);
      return Buffer.buffer(json.append("}\n\n").toString());
    }

    private void usage(StringBuilder json, boolean details) {
      int prompt = 0;
      int completion = 0;
      for (SimRequest r : engineRequests) {
        prompt += r.numPromptTokens();
        completion += r.numOutputTokens();
      }
      json.append("{\"prompt_tokens\":").append(prompt).append(",\"total_tokens\":")
          .append(prompt + completion).append(",\"completion_tokens\":").append(completion);
      if (details) {
        json.append(",\"prompt_tokens_details\":null");
      }
      json.append('}');
    }

    private String fullResponse() {
      StringBuilder json = new StringBuilder(512).append("{\"id\":");
      Json.string(json, id);
      json.append(request.chat() ? ",\"object\":\"chat.completion\"" : ",\"object\":\"text_completion\"")
          .append(",\"created\":").append(created).append(",\"model\":");
      Json.string(json, request.model()).append(",\"choices\":[");
      for (int i = 0; i < engineRequests.length; i++) {
        SimRequest r = engineRequests[i];
        if (i > 0) {
          json.append(',');
        }
        json.append("{\"index\":").append(i);
        if (request.chat()) {
          json.append(",\"message\":{\"role\":\"assistant\",\"content\":");
          Json.string(json, texts[i].toString());
          json.append(",\"refusal\":null,\"annotations\":null,\"audio\":null,"
              + "\"function_call\":null,\"tool_calls\":[],\"reasoning_content\":null}"
              + ",\"logprobs\":null,\"finish_reason\":");
        } else {
          json.append(",\"text\":");
          Json.string(json, texts[i].toString());
          json.append(",\"logprobs\":null,\"finish_reason\":");
        }
        json.append('"').append(r.finishReason().label()).append("\",\"stop_reason\":");
        stopReason(json, r.stopReason());
        if (!request.chat()) {
          json.append(",\"prompt_logprobs\":null");
        }
        json.append('}');
      }
      json.append("],");
      if (request.chat()) {
        json.append("\"service_tier\":null,\"system_fingerprint\":null,");
      }
      json.append("\"usage\":");
      usage(json, true);
      if (request.chat()) {
        json.append(",\"prompt_logprobs\":null");
      }
      json.append(",\"kv_transfer_params\":");
      kvTransferParams(json);
      return json.append('}').toString();
    }

    private void kvTransferParams(StringBuilder json) {
      JsonObject kv = request.kvTransferParams();
      SimRequest r = engineRequests[0];
      if (kv == null || !Boolean.TRUE.equals(kv.getValue("do_remote_decode"))
          || !r.holdsBlocksOnFinish() || r.finishReason() != FinishReason.LENGTH) {
        json.append("null");
        return;
      }
      JsonObject params = new JsonObject()
          .put("do_remote_prefill", true)
          .put("do_remote_decode", false)
          .put("remote_block_ids", new io.vertx.core.json.JsonArray(
              Arrays.stream(r.blockIds()).boxed().toList()))
          .put("remote_engine_id", engine.engineId())
          .put("remote_host", engine.kvTransferHost())
          .put("remote_port", engine.kvTransferPort())
          .put("remote_request_id", r.id())
          .put("tp_size", 1);
      json.append(params.encode());
    }

    private static void stopReason(StringBuilder json, @Nullable Object stopReason) {
      if (stopReason == null) {
        json.append("null");
      } else if (stopReason instanceof String s) {
        Json.string(json, s);
      } else {
        json.append(stopReason);
      }
    }
  }
}
