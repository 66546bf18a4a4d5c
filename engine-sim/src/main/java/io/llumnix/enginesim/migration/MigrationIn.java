package io.llumnix.enginesim.migration;

import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.RequestListener;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.openai.OpenAiError;
import io.llumnix.openai.OpenAiRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;

/**
 * The destination side of a migration, on the engine's KV-transfer port.
 *
 * <ul>
 *   <li>{@code POST /migrate/in} (a {@link MigrationState}): the destination accepts when it
 *       has a migrate-in slot and room for the request's KV, and answers with a stream that
 *       stays open: one {@code {"accepted":true}} line, then, once committed, one JSON line per
 *       token ({@code text}, and {@code finish} on the last), or a lone {@code finish} when the
 *       request ends here without a token. The source relays these lines to its client.
 *   <li>{@code POST /migrate/commit} (the state at the source's last stage): the request joins
 *       this engine, running with its KV; answered 507 when the KV no longer fits (the source
 *       keeps the request).
 * </ul>
 *
 * A source that closes the stream (it failed, or its client left) aborts the request here.
 */
public final class MigrationIn {

  private final MigrationHost host;
  private final int maxIn;
  private final long maxTokensIn;
  private final Map<String, Pending> pending = new HashMap<>();
  private int accepting;
  private long acceptingTokens;

  /** A migration accepted here: its stream back to the source. */
  private static final class Pending {
    final HttpServerResponse events;
    final long tokens;
    boolean committed;
    boolean finishSent;

    Pending(HttpServerResponse events, long tokens) {
      this.events = events;
      this.tokens = tokens;
    }
  }

  /**
   * @param maxIn migrations accepted at once and not yet committed
   * @param maxTokensIn tokens they may hold together (Long.MAX_VALUE: no bound)
   */
  public MigrationIn(MigrationHost host, int maxIn, long maxTokensIn) {
    this.host = host;
    this.maxIn = maxIn;
    this.maxTokensIn = maxTokensIn;
  }

  /** Tokens of the migrations accepted and not yet committed. */
  public long tokensIn() {
    return acceptingTokens;
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024);
    router.post("/migrate/in").handler(body).handler(this::in);
    router.post("/migrate/commit").handler(body).handler(this::commit);
  }

  /** Migrations accepted and not yet committed. */
  public int migratingIn() {
    return accepting;
  }

  public int availableIn() {
    return Math.max(0, maxIn - accepting);
  }

  private void in(RoutingContext ctx) {
    MigrationState state;
    try {
      state = MigrationState.fromJson(OpenAiRequest.jsonBody(ctx.body().buffer()));
    } catch (IllegalArgumentException e) {
      OpenAiError.badRequest(e.getMessage()).send(ctx.response());
      return;
    }
    String id = state.id();
    int freeBlocks = host.core().numFreeBlocks();
    // Room for what it holds now, and a block per 16 tokens it may decode during the copy.
    int needed = host.core().blocksFor(state.kvTokens()) + 1;
    long tokens = (long) state.prompt().length + state.numOutput();
    if (accepting >= maxIn) {
      OpenAiError.of(429, "no migrate-in slot free (" + maxIn + " in use)").send(ctx.response());
    } else if (acceptingTokens + tokens > maxTokensIn) {
      OpenAiError.of(429, "migrating in " + tokens + " more tokens would exceed "
          + maxTokensIn).send(ctx.response());
    } else if (host.core().contains(id) || pending.containsKey(id)) {
      OpenAiError.of(409, "request " + id + " is already here").send(ctx.response());
    } else if (needed > freeBlocks) {
      OpenAiError.of(507, "not enough free KV blocks for " + id + ": " + needed + " needed, "
          + freeBlocks + " free").send(ctx.response());
    } else {
      Pending accepted = new Pending(ctx.response(), tokens);
      pending.put(id, accepted);
      accepting++;
      acceptingTokens += tokens;
      ctx.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/x-ndjson")
          .write("{\"accepted\":true}\n");
      ctx.response().closeHandler(ignored -> sourceLeft(id, accepted));
    }
  }

  private void sourceLeft(String id, Pending accepted) {
    if (pending.remove(id, accepted)) {
      if (accepted.committed) {
        host.core().abort(id, host.nowNanos());
        host.changed();
      } else {
        accepting--;
        acceptingTokens -= accepted.tokens;
      }
    }
  }

  private void commit(RoutingContext ctx) {
    MigrationState state;
    try {
      state = MigrationState.fromJson(OpenAiRequest.jsonBody(ctx.body().buffer()));
    } catch (IllegalArgumentException e) {
      OpenAiError.badRequest(e.getMessage()).send(ctx.response());
      return;
    }
    Pending accepted = pending.get(state.id());
    if (accepted == null || accepted.committed) {
      OpenAiError.notFound("no migration of " + state.id() + " is waiting to commit")
          .send(ctx.response());
      return;
    }
    SimRequest request = state.resume(relay(state.id(), accepted));
    if (!host.core().attach(request, state.withKv(), host.nowNanos(), state.ageNanos())) {
      OpenAiError.of(507, "the KV of " + state.id() + " no longer fits").send(ctx.response());
      return;
    }
    accepted.committed = true;
    accepting--;
    acceptingTokens -= accepted.tokens;
    host.changed();
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"committed\":true}");
  }

  /** Writes the request's tokens and its end to the source's open stream. */
  private RequestListener relay(String id, Pending accepted) {
    return new RequestListener() {
      @Override
      public void onToken(SimRequest request, String text, long timeNanos) {
        JsonObject event = new JsonObject().put("text", text);
        if (request.finishReason() != null) {
          event.put("finish", request.finishReason().label());
          accepted.finishSent = true;
        }
        accepted.events.write(event.encode() + "\n");
      }

      @Override
      public void onFinish(SimRequest request, FinishReason reason, long timeNanos) {
        pending.remove(id, accepted);
        if (accepted.events.closed()) {
          return;
        }
        if (!accepted.finishSent) {
          accepted.events.write(new JsonObject().put("finish", reason.label())
              .put("message", request.errorMessage()).encode() + "\n");
        }
        accepted.events.end();
      }
    };
  }
}
