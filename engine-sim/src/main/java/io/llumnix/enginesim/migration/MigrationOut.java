package io.llumnix.enginesim.migration;

import io.llumnix.enginesim.core.FinishReason;
import io.llumnix.enginesim.core.SimRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The source side of migrations: a queue of requests to move, at most {@code maxOut} at once.
 *
 * <p>Design notes. A running request moves in stages while it keeps decoding here, as
 * Llumnix's live migration does: the first stage copies the blocks it holds, each next one the
 * blocks it filled meanwhile; once a stage has at most one block left to copy (or after
 * {@value #MAX_STAGES} stages) the request stops here, the rest is copied (the stop-the-world
 * time) and the destination commits it. Copies take simulated time: blocks × block bytes ÷
 * bandwidth, plus the link's latency. Its tokens then come back over the stream the destination
 * opened, and its listener — the client's open HTTP answer — hears them as if they were made
 * here. A waiting request moves at once, without KV. A refusal or a failure before the commit
 * leaves the request where it was; a commit the destination refuses puts it back here.
 */
public final class MigrationOut {

  private static final System.Logger logger = System.getLogger(MigrationOut.class.getName());
  static final int MAX_STAGES = 4;

  private final MigrationHost host;
  private final HttpClient client;
  private final int maxOut;
  private final ArrayDeque<Move> queue = new ArrayDeque<>();
  /** Moves under way, and requests whose tokens now come from elsewhere, by request id. */
  private final Map<String, Move> moves = new HashMap<>();
  private int active;
  private long lastStopTheWorldNanos = -1;

  /** One request on its way out. */
  private final class Move {
    final SimRequest request;
    final String dstHost;
    final int dstPort;
    @Nullable HttpClientRequest stream;
    int copiedBlocks;
    int stages;
    boolean committed;
    boolean over;
    boolean slotHeld;

    Move(SimRequest request, String dstHost, int dstPort) {
      this.request = request;
      this.dstHost = dstHost;
      this.dstPort = dstPort;
    }

    String destination() {
      return dstHost + ":" + dstPort;
    }
  }

  public MigrationOut(MigrationHost host, HttpClient client, int maxOut) {
    this.host = host;
    this.client = client;
    this.maxOut = maxOut;
  }

  /** Whether request {@code id} is queued, moving, or continues elsewhere. */
  public boolean migrating(String id) {
    return moves.containsKey(id);
  }

  /** Moves in flight (not the queued ones). */
  public int migratingOut() {
    return active;
  }

  public int availableOut() {
    return Math.max(0, maxOut - active);
  }

  /** Tokens (prompt and output so far) of the moves in flight. */
  public long tokensOut() {
    long tokens = 0;
    for (Move move : moves.values()) {
      tokens += move.slotHeld ? MigrationSelector.length(move.request) : 0;
    }
    return tokens;
  }

  /** The last move's stop-the-world time, simulated nanoseconds; −1 before any. */
  public long lastStopTheWorldNanos() {
    return lastStopTheWorldNanos;
  }

  /** Requests whose tokens still come from other engines. */
  public int continuingElsewhere() {
    int n = 0;
    for (Move move : moves.values()) {
      n += move.committed ? 1 : 0;
    }
    return n;
  }

  /** Queues {@code request} to move to the destination's KV-transfer port. */
  public void enqueue(SimRequest request, String dstHost, int dstPort) {
    Move move = new Move(request, dstHost, dstPort);
    moves.put(request.id(), move);
    queue.addLast(move);
    pump();
  }

  /** The client of request {@code id} left: stop moving it, or stop it where it went. */
  public void abort(String id) {
    Move move = moves.remove(id);
    if (move == null) {
      return;
    }
    queue.remove(move);
    end(move);
  }

  private void pump() {
    while (active < maxOut && !queue.isEmpty()) {
      Move move = queue.pollFirst();
      if (move.request.finishReason() != null || !host.core().contains(move.request.id())) {
        moves.remove(move.request.id(), move); // finished or aborted while queued
        continue;
      }
      active++;
      move.slotHeld = true;
      start(move);
    }
  }

  private void start(Move move) {
    boolean withKv = move.request.status() == SimRequest.Status.RUNNING;
    JsonObject state = MigrationState.of(move.request, withKv, host.nowNanos()).toJson();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(move.dstHost)
            .setPort(move.dstPort).setURI("/migrate/in")
            .putHeader("Content-Type", "application/json"))
        .compose(request -> {
          move.stream = request;
          return request.send(Buffer.buffer(state.encode()));
        })
        .onSuccess(response -> accepted(move, response, withKv))
        .onFailure(e -> refused(move, "unreachable: " + e.getMessage()));
  }

  private void accepted(Move move, HttpClientResponse response, boolean withKv) {
    if (response.statusCode() != 200) {
      response.body().onComplete(body -> refused(move, response.statusCode() + " "
          + (body.succeeded() ? body.result() : "")));
      return;
    }
    boolean[] first = {true};
    response.handler(RecordParser.newDelimited("\n", line -> {
      if (first[0]) {
        first[0] = false;
        if (withKv) {
          stage(move);
        } else {
          stopAndCommit(move, 0);
        }
      } else {
        relay(move, new JsonObject(line));
      }
    }));
    response.exceptionHandler(e -> broken(move, e.getMessage()));
    response.endHandler(ignored -> broken(move, "the destination closed the stream"));
  }

  /** Copies what the request filled since the last stage; the last stage stops it here. */
  private void stage(Move move) {
    if (move.over || move.request.finishReason() != null
        || !host.core().contains(move.request.id())) {
      end(move); // finished or aborted meanwhile: nothing to move
      return;
    }
    int held = host.core().blocksFor(move.request.numComputedTokens());
    int delta = Math.max(0, held - move.copiedBlocks);
    if (move.stages > 0 && (delta <= 1 || move.stages >= MAX_STAGES)) {
      stopAndCommit(move, held);
      return;
    }
    move.stages++;
    host.after(copyNanos(delta), () -> {
      move.copiedBlocks += delta;
      stage(move);
    });
  }

  /** Stops the request here, copies its last blocks, and commits it at the destination. */
  private void stopAndCommit(Move move, int heldBlocks) {
    long now = host.nowNanos();
    JsonObject finalState = MigrationState.of(move.request, heldBlocks > 0, now).toJson();
    SimRequest detached = host.core().detach(move.request.id());
    host.changed();
    if (detached == null) {
      end(move);
      return;
    }
    long downtime = heldBlocks > 0 ? copyNanos(heldBlocks - move.copiedBlocks) : 0;
    host.after(downtime, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setHost(move.dstHost).setPort(move.dstPort).setURI("/migrate/commit")
            .putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(Buffer.buffer(finalState.encode())))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == 200 && !move.over) {
            move.committed = true;
            lastStopTheWorldNanos = downtime;
            releaseSlot(move);
            logger.log(System.Logger.Level.INFO, host.name() + ": migrated "
                + move.request.id() + " to " + move.destination() + " after " + move.stages
                + " stage(s), " + heldBlocks + " blocks, stop-the-world "
                + String.format(Locale.ROOT, "%.2f", downtime / 1e6) + " ms");
          } else {
            // Refused or lost: the request goes on here, with its KV if it still fits.
            if (!move.over && !host.core().attach(move.request, heldBlocks > 0,
                host.nowNanos(), host.nowNanos() - move.request.arrivalNanos())) {
              host.core().attach(move.request, false, host.nowNanos(),
                  host.nowNanos() - move.request.arrivalNanos());
            }
            host.changed();
            end(move);
          }
        }));
  }

  private void relay(Move move, JsonObject event) {
    SimRequest request = move.request;
    FinishReason reason = event.getString("finish") instanceof String label
        ? FinishReason.valueOf(label.toUpperCase(Locale.ROOT)) : null;
    if (event.getValue("text") instanceof String text) {
      request.continuedElsewhere(reason);
      request.listener().onToken(request, text, host.nowNanos());
    } else if (reason != null) {
      request.endedElsewhere(reason, event.getString("message"));
    }
    if (reason != null) {
      moves.remove(request.id(), move);
      move.over = true;
      request.listener().onFinish(request, reason, host.nowNanos());
    }
  }

  private void refused(Move move, String why) {
    logger.log(System.Logger.Level.DEBUG, host.name() + ": " + move.destination()
        + " did not take " + move.request.id() + " (" + why + "); it stays here");
    end(move);
  }

  /** The stream from the destination broke: before the commit nothing moved. */
  private void broken(Move move, @Nullable String why) {
    if (move.over) {
      return;
    }
    if (!move.committed) {
      end(move);
      return;
    }
    move.over = true;
    moves.remove(move.request.id(), move);
    SimRequest request = move.request;
    request.endedElsewhere(FinishReason.ERROR, "the engine it migrated to failed: " + why);
    request.listener().onFinish(request, FinishReason.ERROR, host.nowNanos());
  }

  /** The move is over before its commit (or its client left after): frees its slot. */
  private void end(Move move) {
    if (!move.over) {
      move.over = true;
      moves.remove(move.request.id(), move);
      HttpClientRequest stream = move.stream;
      if (stream != null) {
        stream.reset(); // the destination drops what it accepted, or aborts the request
      }
    }
    releaseSlot(move);
  }

  private void releaseSlot(Move move) {
    if (move.slotHeld) {
      move.slotHeld = false;
      active--;
      pump();
    }
  }

  private long copyNanos(int blocks) {
    return host.kvTransfer().transferNanos(blocks * host.core().config().blockSize());
  }
}
