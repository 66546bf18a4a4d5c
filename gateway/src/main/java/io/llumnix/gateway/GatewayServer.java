package io.llumnix.gateway;

import io.llumnix.core.instance.LlmInstance;
import io.llumnix.gateway.balance.Balancer;
import io.llumnix.gateway.balance.RoundRobinBalancer;
import io.llumnix.gateway.openai.GatewayError;
import io.llumnix.gateway.openai.OpenAiRequest;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.metrics.http.OperatorRoutes;
import io.llumnix.tokenizer.Tokenizer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's HTTP server: {@code POST /v1/chat/completions}, {@code POST /v1/completions},
 * {@code GET /v1/models}, {@code /healthz} and {@code /metrics}.
 *
 * <p>Design notes. A request is validated and tokenized, waits for room in the scheduling queue,
 * gets an instance from the balancer, and is sent to the engine as a streaming completion with
 * usage; the engine's SSE events are relayed as chat or completion chunks, or gathered into one
 * JSON body. A failure before the first byte to the client (engine unreachable, 5xx) is retried
 * on a newly scheduled instance up to {@code --retry-max-count} times; after it, the client gets
 * an error event and {@code [DONE]}. A client that leaves aborts the engine request (its
 * connection is reset, which vLLM and the simulator treat as an abort) and releases it. Every
 * path ends in exactly one {@code request_total} sample with the status sent (499 for a client
 * that left) and one release.
 */
public final class GatewayServer extends VerticleBase {

  private static final System.Logger logger = System.getLogger(GatewayServer.class.getName());
  private static final CharSequence EVENT_STREAM =
      HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
  /** Bodies up to this size are tokenized on the event loop (tens of microseconds). */
  private static final int INLINE_PREPROCESS_BYTES = 8 * 1024;

  private final GatewaySettings settings;
  private final Tokenizer tokenizer;
  private final Balancer balancer;
  private final RoundRobinBalancer roundRobin;
  private final ComponentMetrics componentMetrics;
  private GatewayMetrics metrics;
  private HttpClient engines;
  private @Nullable HttpServer server;
  private SchedulingQueue queue;
  private int current;

  public GatewayServer(GatewaySettings settings, Tokenizer tokenizer, Balancer balancer,
      RoundRobinBalancer roundRobin, ComponentMetrics metrics) {
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.balancer = balancer;
    this.roundRobin = roundRobin;
    this.componentMetrics = metrics;
  }

  @Override
  public Future<?> start() {
    metrics = new GatewayMetrics(componentMetrics);
    queue = new SchedulingQueue(vertx, settings.maxQueueSize(), settings.queueWorkers(),
        settings.queueFullWaitMillis(), metrics.pending);
    engines = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout(3000), new PoolOptions().setHttp1MaxSize(1024));
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(settings.maxRequestBodyBytes());
    router.post("/v1/chat/completions").handler(body).handler(ctx -> handle(ctx, true));
    router.post("/v1/completions").handler(body).handler(ctx -> handle(ctx, false));
    router.get("/v1/models").handler(this::models);
    OperatorRoutes.mount(router, componentMetrics, () -> true);
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      String message = status == 413
          ? "Request body too large: the limit is " + settings.maxRequestBodyBytes() + " bytes"
          : "request failed";
      if (!ctx.response().ended()) {
        error(ctx.response(), new GatewayError(status, message, null));
      }
    });
    return vertx.createHttpServer().requestHandler(router).listen(settings.port(),
        settings.host()).onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    balancer.close();
    return Future.succeededFuture();
  }

  /** The port listened on (the actual one when 0 was asked for). */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? settings.port() : s.actualPort();
  }

  private void models(RoutingContext ctx) {
    LlmInstance instance = roundRobin.next();
    if (instance == null) {
      error(ctx.response(), new GatewayError(503, "no available inference worker", null));
      return;
    }
    engines.request(HttpMethod.GET, instance.port(), instance.host(), "/v1/models")
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(b -> {
          ctx.response().setStatusCode(response.statusCode())
              .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(b);
          return b;
        }))
        .onFailure(e -> error(ctx.response(),
            new GatewayError(502, "engine " + instance.endpoint() + " unreachable", null)));
  }

  private void handle(RoutingContext ctx, boolean chat) {
    long arrival = System.nanoTime();
    String header = ctx.request().getHeader("x-request-id");
    String id = header == null || header.isEmpty() ? UUID.randomUUID().toString() : header;
    if (ctx.body().length() < INLINE_PREPROCESS_BYTES) {
      admit(ctx, preprocess(ctx, chat, id), id, arrival);
      return;
    }
    // Rendering and tokenizing a long prompt takes milliseconds: keep it off the event loop.
    vertx.executeBlocking(() -> preprocess(ctx, chat, id), false)
        .onComplete(done -> admit(ctx, done.succeeded() ? done.result()
            : new GatewayError(500, "preprocessing failed", null), id, arrival));
  }

  /** The validated request, or the error to answer with. */
  private Object preprocess(RoutingContext ctx, boolean chat, String id) {
    try {
      JsonObject body;
      try {
        body = ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException e) {
        throw GatewayError.badRequest("JSON decode error: the body must be a JSON object", null);
      }
      if (body == null) {
        throw GatewayError.badRequest("JSON decode error: the body must be a JSON object", null);
      }
      return OpenAiRequest.parse(body, chat, tokenizer, settings.maxModelLen(), id);
    } catch (GatewayError e) {
      return e;
    }
  }

  private void admit(RoutingContext ctx, Object preprocessed, String id, long arrival) {
    if (preprocessed instanceof GatewayError e) {
      metrics.requestDone("", e.status());
      error(ctx.response(), e);
      return;
    }
    OpenAiRequest request = (OpenAiRequest) preprocessed;
    if (ctx.response().closed()) { // left while its prompt was being tokenized
      metrics.requestDone(request.model(), 499);
      return;
    }
    Exchange exchange = new Exchange(ctx.response(), request, id, arrival);
    exchange.points.preprocess().observe((System.nanoTime() - arrival) / 1e6);
    queue.submit(exchange);
  }

  private static void error(HttpServerResponse response, GatewayError e) {
    if (e.status() == 429) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(e.toJson().toBuffer());
  }

  /** One client request through the gateway. Runs on the gateway's event loop. */
  private final class Exchange implements SchedulingQueue.Job {
    private final HttpServerResponse response;
    private final OpenAiRequest request;
    private final String id;
    private final long arrival;
    private final GatewayMetrics.ModelPoints points;
    private final long created = System.currentTimeMillis() / 1000;
    private @Nullable LlmInstance instance;
    private @Nullable HttpClientRequest engineRequest;
    private int attempt;
    /** Endpoints (host:port) that failed this request, avoided when it is scheduled again. */
    private final java.util.Set<String> failedInstances = new java.util.HashSet<>(2);
    private int reasks;
    private boolean clientGone;
    private boolean finished;
    private boolean headWritten;
    private long firstTokenNanos = -1;
    private long lastTokenNanos = -1;
    private int outputTokens;
    private int promptTokens;
    private @Nullable String finishReason;
    private @Nullable Object stopReason;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder pending = new StringBuilder();

    Exchange(HttpServerResponse response, OpenAiRequest request, String id, long arrival) {
      this.response = response;
      this.request = request;
      this.id = id;
      this.arrival = arrival;
      this.points = metrics.model(request.model());
      this.promptTokens = request.promptTokens().length;
      current++;
      metrics.current.set(current);
      response.closeHandler(ignored -> clientLeft());
    }

    private final long enqueuedAt = System.nanoTime();
    private @Nullable Runnable dequeued;

    @Override
    public int priority() {
      return request.priority();
    }

    @Override
    public boolean cancelled() {
      return clientGone;
    }

    @Override
    public void rejected() {
      end(429, new GatewayError(429, "the gateway queue is full (" + settings.maxQueueSize()
          + " requests waiting); retry later", null));
    }

    @Override
    public void run(Runnable done) {
      points.queue().observe((System.nanoTime() - enqueuedAt) / 1e6);
      dequeued = done;
      schedule();
    }

    private void schedule() {
      long start = System.nanoTime();
      balancer.schedule(id, request.model(), promptTokens).onComplete(ar -> {
        Runnable worker = dequeued;
        if (worker != null) {
          dequeued = null;
          worker.run(); // the queue's worker takes the next request
        }
        points.schedule().observe((System.nanoTime() - start) / 1e6);
        if (ar.failed()) {
          GatewayError e = ar.cause() instanceof GatewayError g ? g
              : new GatewayError(503, "no available inference worker", null);
          end(e.status(), e);
          return;
        }
        instance = ar.result();
        if (clientGone) {
          balancer.release(id, request.model(), instance);
          return;
        }
        if (failedInstances.contains(instance.endpoint())) {
          balancer.release(id, request.model(), instance);
          instance = null;
          if (reasks++ < 3) { // this instance just failed the request: ask again
            schedule();
            return;
          }
          // The scheduler keeps choosing it (a dead instance looks idle until discovery drops
          // it): take the next instance round-robin that has not failed this request.
          instance = roundRobinAvoidingFailed();
          if (instance == null) {
            end(502, new GatewayError(502, "every instance failed this request", null));
            return;
          }
        }
        send();
      });
    }

    private @Nullable LlmInstance roundRobinAvoidingFailed() {
      for (int i = 0; i < roundRobin.size(); i++) {
        LlmInstance next = roundRobin.next();
        if (next != null && !failedInstances.contains(next.endpoint())) {
          return next;
        }
      }
      return null;
    }

    private void send() {
      LlmInstance target = instance;
      engines.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host())
              .setPort(target.port()).setURI("/v1/completions")
              .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
              .putHeader("X-Request-Id", id))
          .compose(engine -> {
            engineRequest = engine;
            if (clientGone) {
              engine.reset();
            }
            return engine.send(request.backendBody().toBuffer());
          })
          .onSuccess(this::engineAnswered)
          .onFailure(e -> engineFailed("network_error", new GatewayError(502,
              "engine " + target.endpoint() + " failed: " + e.getMessage(), null)));
    }

    private void engineAnswered(HttpClientResponse engine) {
      if (engine.statusCode() != 200) {
        engine.body().onComplete(body -> {
          String text = body.succeeded() ? body.result().toString() : "";
          if (engine.statusCode() >= 500) {
            engineFailed(Integer.toString(engine.statusCode()), new GatewayError(
                engine.statusCode(), "engine " + instance.endpoint() + ": " + text, null));
          } else {
            relayError(engine.statusCode(), body.succeeded() ? body.result() : Buffer.buffer());
          }
        });
        return;
      }
      engine.handler(this::engineChunk);
      engine.exceptionHandler(e -> engineFailed("network_error", new GatewayError(502,
          "engine " + instance.endpoint() + " broke the stream: " + e.getMessage(), null)));
      engine.endHandler(ignored -> engineEnded());
    }

    /** A failure before anything went to the client is retried elsewhere; after, it ends. */
    private void engineFailed(String cause, GatewayError error) {
      if (finished || clientGone) {
        return;
      }
      LlmInstance failed = instance;
      if (failed != null) {
        failedInstances.add(failed.endpoint());
        balancer.release(id, request.model(), failed);
      }
      if (!headWritten && attempt < settings.retryMaxCount()) {
        attempt++;
        metrics.retried(request.model(), cause);
        instance = null;
        long backoff = Math.min(10L << attempt, 100);
        vertx.setTimer(backoff, t -> schedule());
        return;
      }
      instance = null; // released above
      end(error.status(), error);
    }

    private void relayError(int status, Buffer body) {
      if (finished || clientGone) {
        return;
      }
      balancer.release(id, request.model(), instance);
      instance = null;
      finished = true;
      response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
          .end(body);
      record(status);
    }

    private void engineChunk(Buffer chunk) {
      if (finished || clientGone) {
        return;
      }
      pending.append(chunk.toString());
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        if (event.startsWith("data: ")) {
          engineEvent(event.substring(6));
        }
      }
    }

    private void engineEvent(String data) {
      if (data.equals("[DONE]")) {
        return;
      }
      SseEvent event = SseEvent.scan(data);
      if (event == null || event.hasUsage) {
        parsedEvent(new JsonObject(data)); // errors, the usage chunk, unusual shapes
        return;
      }
      if (modelName == null) {
        modelName = request.model().isEmpty() ? new JsonObject(data).getString("model", "")
            : request.model();
      }
      if (event.rawText == null) {
        return; // a chunk without choices and without usage carries nothing
      }
      if (event.finishReason != null) {
        finishReason = event.finishReason;
        stopReason = new JsonObject("{\"v\":" + event.rawStopReason + "}").getValue("v");
      }
      if (!event.emptyText) {
        token();
      }
      if (request.stream()) {
        if (request.chat()) {
          if (!headWritten) {
            write(chatChunk(null, null, true));
          }
          write(rawChatChunk(event));
        } else {
          write(rawCompletionChunk(event));
        }
      } else {
        text.append(event.emptyText ? "" : (String) new JsonObject(
            "{\"v\":" + event.rawText + "}").getValue("v"));
      }
    }

    /** A chunk read as a tree: errors and the usage chunk, once per request. */
    private void parsedEvent(JsonObject json) {
      if (json.containsKey("error")) {
        streamError(json);
        return;
      }
      if (modelName == null) {
        modelName = request.model().isEmpty() ? json.getString("model", "") : request.model();
      }
      JsonObject usage = json.getJsonObject("usage");
      if (usage != null) {
        promptTokens = usage.getInteger("prompt_tokens", promptTokens);
        outputTokens = usage.getInteger("completion_tokens", outputTokens);
      }
      var choices = json.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) {
        if (usage != null && request.stream() && request.includeUsage()) {
          write(usageChunk(usage));
        }
        return;
      }
      JsonObject choice = choices.getJsonObject(0);
      String piece = choice.getString("text", "");
      String reason = choice.getString("finish_reason");
      if (reason != null) {
        finishReason = reason;
        stopReason = choice.getValue("stop_reason");
      }
      if (!piece.isEmpty()) {
        token();
      }
      if (request.stream()) {
        if (request.chat()) {
          if (!headWritten) {
            write(chatChunk(null, null, true));
          }
          write(chatChunk(piece, reason, false));
        } else {
          write(completionChunk(piece, reason));
        }
      } else {
        text.append(piece);
      }
      if (usage != null && request.stream() && request.includeUsage()) {
        write(usageChunk(usage));
      }
    }

    /** The client's chunk for a scanned token: its text spliced in as the engine escaped it. */
    private Buffer rawChatChunk(SseEvent event) {
      StringBuilder out = chunkHead(true);
      out.append("\"choices\":[{\"index\":0,\"delta\":{\"content\":").append(event.rawText)
          .append("},\"logprobs\":null,\"finish_reason\":");
      if (event.finishReason == null) {
        out.append("null");
      } else {
        out.append('"').append(event.finishReason).append("\",\"stop_reason\":")
            .append(event.rawStopReason);
      }
      return Buffer.buffer(out.append("}]}\n\n").toString());
    }

    private Buffer rawCompletionChunk(SseEvent event) {
      StringBuilder out = chunkHead(false);
      out.append("\"choices\":[{\"index\":0,\"text\":").append(event.rawText)
          .append(",\"logprobs\":null,\"finish_reason\":")
          .append(event.finishReason == null ? "null" : "\"" + event.finishReason + "\"")
          .append(",\"stop_reason\":").append(event.rawStopReason);
      return Buffer.buffer(out.append("}],\"usage\":null}\n\n").toString());
    }

    /** {@code data: {"id":…,"object":…,"created":…,"model":…,} up to the choices. */
    private StringBuilder chunkHead(boolean chat) {
      if (chunkHead == null) {
        JsonObject head = new JsonObject().put("id", (chat ? "chatcmpl-" : "cmpl-") + id)
            .put("object", chat ? "chat.completion.chunk" : "text_completion")
            .put("created", created).put("model", modelName());
        String encoded = head.encode();
        chunkHead = "data: " + encoded.substring(0, encoded.length() - 1) + ",";
      }
      return new StringBuilder(chunkHead.length() + 160).append(chunkHead);
    }

    private @Nullable String chunkHead;

    private void token() {
      long now = System.nanoTime();
      if (firstTokenNanos < 0) {
        firstTokenNanos = now;
        points.ttft().observe((now - arrival) / 1e6);
        balancer.prefillDone(id, request.model(), instance);
      } else {
        points.itl().observe((now - lastTokenNanos) / 1e6);
      }
      lastTokenNanos = now;
      // Until the usage chunk, each content chunk is about one token.
      balancer.reportTokens(id, request.model(), instance,
          promptTokens + (long) (++tokensSeen));
    }

    private int tokensSeen;
    /** The client's model string, or the engine's when the client sent none. */
    private @Nullable String modelName;

    private String modelName() {
      return modelName == null ? request.model() : modelName;
    }

    private void streamError(JsonObject json) {
      if (!headWritten) {
        JsonObject error = json.getJsonObject("error");
        int code = error.getInteger("code", 500);
        engineFailed(Integer.toString(code), new GatewayError(code,
            error.getString("message", "engine error"), null));
        return;
      }
      write(Buffer.buffer("data: " + json.encode() + "\n\n"));
      response.end(DONE);
      finished = true;
      release();
      record(500);
    }

    private void engineEnded() {
      if (finished || clientGone) {
        return;
      }
      long start = System.nanoTime();
      finished = true;
      if (finishReason == null) {
        // The engine closed the stream without a finish: a clean error event, not a hang.
        GatewayError error = new GatewayError(502, "engine " + instance.endpoint()
            + " ended the stream early", null);
        release();
        if (headWritten) {
          write(Buffer.buffer("data: " + error.toJson().encode() + "\n\n"));
          response.end(DONE);
          record(502);
        } else {
          finished = false;
          engineFailed("network_error", error);
        }
        return;
      }
      if (request.stream()) {
        response.end(DONE);
      } else {
        response.putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(fullResponse());
      }
      LlmInstance served = instance;
      instance = null;
      if (served != null) {
        balancer.finished(id, request.model(), served);
      }
      points.postprocess().observe((System.nanoTime() - start) / 1e6);
      long now = System.nanoTime();
      points.e2e().observe((now - arrival) / 1e9);
      if (outputTokens > 1 && firstTokenNanos >= 0) {
        points.tpot().observe((now - firstTokenNanos) / 1e6 / (outputTokens - 1));
      }
      points.inputTokensTotal().inc(promptTokens);
      points.outputTokensTotal().inc(outputTokens);
      points.inputTokens().observe(promptTokens);
      points.outputTokens().observe(outputTokens);
      record(200);
    }

    private void clientLeft() {
      if (finished || clientGone) {
        return;
      }
      clientGone = true;
      HttpClientRequest engine = engineRequest;
      if (engine != null) {
        engine.reset(); // the engine aborts the request and frees its blocks
      }
      release();
      record(499);
    }

    private void release() {
      LlmInstance held = instance;
      instance = null;
      if (held != null) {
        balancer.release(id, request.model(), held);
      }
    }

    private void end(int status, GatewayError error) {
      if (finished || clientGone) {
        return;
      }
      finished = true;
      release();
      if (headWritten) {
        write(Buffer.buffer("data: " + error.toJson().encode() + "\n\n"));
        response.end(DONE);
      } else {
        error(response, error);
      }
      record(status);
    }

    private void record(int status) {
      metrics.requestDone(request.model(), status);
      current--;
      metrics.current.set(current);
    }

    private void write(Buffer buffer) {
      if (!headWritten) {
        headWritten = true;
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM);
      }
      response.write(buffer);
    }

    private Buffer completionChunk(String piece, @Nullable String reason) {
      JsonObject choice = new JsonObject().put("index", 0).put("text", piece)
          .putNull("logprobs").put("finish_reason", reason).put("stop_reason", stopReason);
      JsonObject chunk = new JsonObject().put("id", "cmpl-" + id)
          .put("object", "text_completion").put("created", created)
          .put("model", modelName())
          .put("choices", new io.vertx.core.json.JsonArray().add(choice)).putNull("usage");
      return Buffer.buffer("data: " + chunk.encode() + "\n\n");
    }

    private Buffer chatChunk(@Nullable String piece, @Nullable String reason, boolean role) {
      JsonObject delta = role ? new JsonObject().put("role", "assistant").put("content", "")
          : new JsonObject().put("content", piece);
      JsonObject choice = new JsonObject().put("index", 0).put("delta", delta)
          .putNull("logprobs").put("finish_reason", reason);
      if (reason != null) {
        choice.put("stop_reason", stopReason);
      }
      JsonObject chunk = new JsonObject().put("id", "chatcmpl-" + id)
          .put("object", "chat.completion.chunk").put("created", created)
          .put("model", modelName())
          .put("choices", new io.vertx.core.json.JsonArray().add(choice));
      return Buffer.buffer("data: " + chunk.encode() + "\n\n");
    }

    private Buffer usageChunk(JsonObject usage) {
      JsonObject chunk = new JsonObject()
          .put("id", (request.chat() ? "chatcmpl-" : "cmpl-") + id)
          .put("object", request.chat() ? "chat.completion.chunk" : "text_completion")
          .put("created", created).put("model", modelName())
          .put("choices", new io.vertx.core.json.JsonArray()).put("usage", usage);
      return Buffer.buffer("data: " + chunk.encode() + "\n\n");
    }

    private Buffer fullResponse() {
      JsonObject usage = new JsonObject().put("prompt_tokens", promptTokens)
          .put("total_tokens", promptTokens + outputTokens)
          .put("completion_tokens", outputTokens);
      JsonObject choice = new JsonObject().put("index", 0);
      if (request.chat()) {
        choice.put("message", new JsonObject().put("role", "assistant")
            .put("content", text.toString()).put("tool_calls", new io.vertx.core.json.JsonArray()));
      } else {
        choice.put("text", text.toString());
      }
      choice.putNull("logprobs").put("finish_reason", finishReason)
          .put("stop_reason", stopReason);
      return new JsonObject().put("id", (request.chat() ? "chatcmpl-" : "cmpl-") + id)
          .put("object", request.chat() ? "chat.completion" : "text_completion")
          .put("created", created).put("model", modelName())
          .put("choices", new io.vertx.core.json.JsonArray().add(choice))
          .put("usage", usage).toBuffer();
    }
  }
}
