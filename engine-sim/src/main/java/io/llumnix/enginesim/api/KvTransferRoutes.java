package io.llumnix.enginesim.api;

import io.llumnix.enginesim.EngineSettings;
import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.OpenAiRequest;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The prefill side of the simulated KV transfer, served on an engine's KV-transfer port (its
 * {@code aux_port}).
 *
 * <ul>
 *   <li>{@code POST /kv/pull {"request_id"}}: a decode engine fetches the blocks a finished
 *       prefill request holds; they are freed when the simulated transfer ends.
 *   <li>{@code POST /kv/prefill {"request_id","prompt_token_ids"}}: a decode engine asks this
 *       engine to compute a prefill (queued like any request) and push its KV; answered when
 *       the prefill is done.
 *   <li>{@code POST /kv/abort {"request_id"}}: the decode engine dropped the request (its
 *       client left) while the KV was moving: the blocks are freed now, not when the transfer
 *       would have ended. Answers {@code {"request_id","released"}}.
 * </ul>
 *
 * The first two answer {@code {"request_id","num_tokens","transfer_nanos"}}; errors use vLLM's
 * error JSON.
 */
public final class KvTransferRoutes {

  private final EngineSettings settings;
  private final EngineHandle engine;

  public KvTransferRoutes(EngineSettings settings, EngineHandle engine) {
    this.settings = settings;
    this.engine = engine;
  }

  /** Mounts the routes on {@code router}. */
  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024);
    router.post("/kv/pull").handler(body).handler(this::pull);
    router.post("/kv/prefill").handler(body).handler(this::prefill);
    router.post("/kv/abort").handler(body).handler(this::abort);
  }

  /** The decode engine dropped the request: the transfer stops and the blocks are free. */
  private void abort(RoutingContext ctx) {
    try {
      String id = requestId(ctx);
      boolean released = engine.releaseHeld(id);
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("request_id", id).put("released", released).encode());
    } catch (OpenAiError e) {
      e.send(ctx.response());
    }
  }

  private void pull(RoutingContext ctx) {
    try {
      String id = requestId(ctx);
      int tokens = engine.heldTokens(id);
      if (tokens < 0) {
        throw OpenAiError.notFound("No KV blocks are held for request " + id
            + " (never prefilled here, already fetched, or expired)");
      }
      long transfer = settings.kvTransfer().transferNanos(tokens);
      engine.releaseHeldAfter(id, transfer);
      answer(ctx.response(), id, tokens, transfer);
    } catch (OpenAiError e) {
      e.send(ctx.response());
    }
  }

  private void prefill(RoutingContext ctx) {
    String id;
    int[] prompt;
    try {
      if (settings.kvTransfer().role() == KvTransferSettings.Role.DECODE) {
        throw OpenAiError.badRequest("This engine's kv role is decode: it computes no prefills "
            + "for other engines.");
      }
      id = requestId(ctx);
      prompt = promptTokens(ctx.body().asJsonObject());
      if (prompt.length >= settings.maxModelLen()) {
        throw OpenAiError.badRequest("This model's maximum context length is "
            + settings.maxModelLen() + " tokens. However, your request has " + prompt.length
            + " input tokens. Please reduce the length of the input messages.");
      }
      if (engine.contains(id)) {
        throw OpenAiError.badRequest("Request id " + id + " is already running.");
      }
    } catch (OpenAiError e) {
      e.send(ctx.response());
      return;
    }
    HttpServerResponse response = ctx.response();
    SimRequest request = new SimRequest(id, prompt, 1, true, 0, 1, List.of(), new int[0], 0,
        new RequestListener() {
          @Override
          public void onToken(SimRequest r, String text, long timeNanos) {}

          @Override
          public void onFinish(SimRequest r, FinishReason reason, long timeNanos) {
            if (response.closed()) {
              return;
            }
            if (reason == FinishReason.LENGTH && r.holdsBlocksOnFinish()) {
              long transfer = settings.kvTransfer().transferNanos(r.numPromptTokens());
              engine.releaseHeldAfter(r.id(), transfer);
              answer(response, r.id(), r.numPromptTokens(), transfer);
            } else {
              OpenAiError.of(500, "The prefill of " + r.id() + " ended with "
                  + reason.label()).send(response);
            }
          }
        });
    request.holdBlocksOnFinish(true);
    response.closeHandler(ignored -> {
      if (request.finishReason() == null) {
        engine.abort(id);
      }
    });
    engine.submit(request);
  }

  private static String requestId(RoutingContext ctx) {
    JsonObject body = OpenAiRequest.jsonBody(ctx.body().buffer());
    if (!(body.getValue("request_id") instanceof String id) || id.isEmpty()) {
      throw OpenAiError.badRequest("request_id: Input should be a valid string", "request_id");
    }
    return id;
  }

  private static int[] promptTokens(JsonObject body) {
    if (!(body.getValue("prompt_token_ids") instanceof JsonArray ids) || ids.isEmpty()) {
      throw OpenAiError.badRequest("prompt_token_ids: Input should be a non-empty list of integers",
          "prompt_token_ids");
    }
    int[] prompt = new int[ids.size()];
    for (int i = 0; i < prompt.length; i++) {
      if (!(ids.getValue(i) instanceof Number n)) {
        throw OpenAiError.badRequest("prompt_token_ids: Input should be a list of integers",
            "prompt_token_ids");
      }
      prompt[i] = n.intValue();
    }
    return prompt;
  }

  private static void answer(HttpServerResponse response, String id, int tokens, long nanos) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("request_id", id).put("num_tokens", tokens)
            .put("transfer_nanos", nanos).encode());
  }

}
