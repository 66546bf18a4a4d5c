package io.llumnix.enginesim.api;

import io.llumnix.core.json.JsonText;
import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.openai.Dialect;
import io.llumnix.openai.MediaTypes;
import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.OpenAiRequest;
import io.llumnix.openai.RequestRules;
import io.llumnix.openai.http.ErrorRoutes;
import io.llumnix.openai.http.HttpLimits;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * vLLM's OpenAI-compatible routes: {@code POST /v1/completions}, {@code POST
 * /v1/chat/completions}, {@code GET /v1/models}, {@code /health}, {@code /version}. Requests are
 * validated by the shared OpenAI protocol as vLLM validates them; responses have vLLM's shapes,
 * chunk order and error JSON. With an API key, {@code /v1} routes need
 * {@code Authorization: Bearer <key>}, as vLLM's {@code --api-key}.
 */
public final class OpenAiRoutes {

  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");

  private final EngineSettings settings;
  private final RequestRules rules;
  private final EngineHandle engine;
  private final KvTransferClient kvTransfer;
  /** The {@code Authorization} value {@code --api-key} asks for. */
  private final byte[] bearer;
  private final long startedSeconds = System.currentTimeMillis() / 1000;

  /**
   * Creates the routes of one engine; {@code client} fetches KV from prefill engines when this
   * engine decodes a disaggregated request.
   */
  public OpenAiRoutes(EngineSettings settings, Tokenizer tokenizer, EngineHandle engine,
      Vertx vertx, HttpClient client) {
    this.settings = settings;
    this.rules = new RequestRules(Dialect.ENGINE,
        Set.copyOf(List.of(settings.modelName(), settings.model())), tokenizer,
        settings.maxModelLen(),
        settings.maxLogprobs());
    this.engine = engine;
    this.kvTransfer = new KvTransferClient(vertx, client, settings.kvTransfer().timeoutMillis());
    this.bearer = ("Bearer " + settings.apiKey()).getBytes(StandardCharsets.UTF_8);
  }

  /** Mounts the routes on {@code router}. */
  public void mount(Router router) {
    if (!settings.apiKey().isEmpty()) {
      router.route("/v1/*").handler(this::authorize);
    }
    BodyHandler body = ErrorRoutes.bodyHandler(HttpLimits.DEFAULT);
    router.post("/v1/completions").handler(body).handler(ctx -> generate(ctx, false));
    router.post("/v1/chat/completions").handler(body).handler(ctx -> generate(ctx, true));
    router.get("/v1/models").handler(this::models);
    router.get("/health").handler(ctx -> ctx.response().setStatusCode(200).end());
    router.get("/version").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON)
        .end("{\"version\":\"" + settings.vllmVersion() + "\"}"));
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
    if (MessageDigest.isEqual(bearer, given)) {
      ctx.next();
    } else {
      OpenAiError.of(401, "Unauthorized").send(ctx.response());
    }
  }

  private void models(RoutingContext ctx) {
    StringBuilder json = new StringBuilder(256).append("{\"object\":\"list\",\"data\":[{\"id\":");
    JsonText.quote(json, settings.modelName()).append(",\"object\":\"model\",\"created\":")
        .append(startedSeconds).append(",\"owned_by\":\"vllm\",\"root\":");
    JsonText.quote(json, settings.model()).append(",\"parent\":null,\"max_model_len\":")
        .append(settings.maxModelLen()).append(",\"permission\":[{\"id\":\"modelperm-")
        .append(UUID.randomUUID().toString().replace("-", ""))
        .append("\",\"object\":\"model_permission\",\"created\":").append(startedSeconds)
        .append(",\"allow_create_engine\":false,\"allow_sampling\":true,\"allow_logprobs\":true,"
            + "\"allow_search_indices\":false,\"allow_view\":true,\"allow_fine_tuning\":false,"
            + "\"organization\":\"*\",\"group\":null,\"is_blocking\":false}]}]}");
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.JSON).end(json.toString());
  }

  private void generate(RoutingContext ctx, boolean chat) {
    OpenAiRequest request;
    Disaggregation part;
    JsonObject body;
    try {
      body = OpenAiRequest.jsonBody(ctx.body().buffer());
      request = OpenAiRequest.parse(body, chat, rules);
      part = disaggregation(request);
    } catch (OpenAiError e) {
      e.send(ctx.response());
      return;
    }
    String baseId = ctx.request().getHeader(X_REQUEST_ID);
    if (baseId == null || baseId.isEmpty()) {
      Object bodyId = body.getValue("request_id");
      baseId = bodyId instanceof String s && !s.isEmpty()
          ? s : UUID.randomUUID().toString().replace("-", "");
    }
    for (int i = 0; i < request.prompts().size(); i++) {
      if (engine.contains(Generation.engineId(baseId, i, request.prompts().size()))) {
        OpenAiError.badRequest("Request id " + baseId + " is already running.")
            .send(ctx.response());
        return;
      }
    }
    new Generation(ctx.response(), request, part, baseId, settings.modelName(), engine,
        kvTransfer).start();
  }

  /** Which side of a disaggregated request this is; checks it fits this engine's role. */
  private Disaggregation disaggregation(OpenAiRequest request) {
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
      throw OpenAiError.badRequest("kv_transfer_params: do_remote_decode and do_remote_prefill "
          + "cannot both be true", "kv_transfer_params");
    }
    if (remoteDecode) {
      if (role == KvTransferSettings.Role.DECODE) {
        throw OpenAiError.badRequest("kv_transfer_params.do_remote_decode needs a prefill or "
            + "neutral engine; this engine's kv role is decode", "kv_transfer_params");
      }
      return Disaggregation.PREFILL_FOR_REMOTE_DECODE;
    }
    if (host == null && port == null) {
      if (remotePrefill) {
        throw OpenAiError.badRequest("kv_transfer_params.do_remote_prefill needs remote_host "
            + "and remote_port", "kv_transfer_params");
      }
      return Disaggregation.NONE;
    }
    if (!(host instanceof String) || !(port instanceof Number)) {
      throw OpenAiError.badRequest("kv_transfer_params: remote_host should be a string and "
          + "remote_port an integer", "kv_transfer_params");
    }
    if (role == KvTransferSettings.Role.PREFILL) {
      throw OpenAiError.badRequest("kv_transfer_params: a remote prefill needs a decode or "
          + "neutral engine; this engine's kv role is prefill", "kv_transfer_params");
    }
    if (request.prompts().size() != 1) {
      throw OpenAiError.badRequest("kv_transfer_params: a disaggregated request has one prompt",
          "kv_transfer_params");
    }
    return remotePrefill ? Disaggregation.DECODE_PULL : Disaggregation.DECODE_ASK_PREFILL;
  }

  /** The part an engine plays in a disaggregated request. */
  enum Disaggregation {
    NONE,
    /** Compute the prefill, then hold the blocks for a decode engine (two-stage, P). */
    PREFILL_FOR_REMOTE_DECODE,
    /** Pull the KV that a prefill engine already computed (two-stage, D). */
    DECODE_PULL,
    /** Have the prefill engine compute the prefill, then decode (single-stage, D). */
    DECODE_ASK_PREFILL
  }

}
