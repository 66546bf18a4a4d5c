package io.llumnix.scheduler;

import io.llumnix.core.time.Clock;
import io.llumnix.scheduler.api.Keepalive;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.jspecify.annotations.Nullable;

/**
 * One gateway's {@code /keepalive}: after its hello the scheduler answers {@code ok}, then
 * pings every interval and drops the socket when two pings went unanswered. A dropped gateway
 * has all its requests released (lite mode). Runs on the scheduler's event loop.
 */
final class KeepaliveSession {

  private static final System.Logger logger =
      System.getLogger(KeepaliveSession.class.getName());

  private final ServerWebSocket ws;
  private final @Nullable LiteTracking lite;
  private final Clock clock;
  private final long intervalMillis;
  private @Nullable String gatewayId;
  private int unanswered;
  private long timer = -1;
  private boolean dropped;

  private KeepaliveSession(ServerWebSocket ws, @Nullable LiteTracking lite, Clock clock,
      long intervalMillis) {
    this.ws = ws;
    this.lite = lite;
    this.clock = clock;
    this.intervalMillis = intervalMillis;
  }

  /** Watches the keepalive {@code ws} of a gateway, pinging it every {@code intervalMillis}. */
  static void watch(ServerWebSocket ws, @Nullable LiteTracking lite, Clock clock,
      long intervalMillis) {
    KeepaliveSession session = new KeepaliveSession(ws, lite, clock, intervalMillis);
    ws.pongHandler(pong -> session.unanswered = 0);
    ws.textMessageHandler(session::hello);
    ws.closeHandler(ignored -> session.drop());
  }

  void hello(String text) {
    if (gatewayId != null) {
      return;
    }
    try {
      gatewayId = Keepalive.gatewayId(text);
    } catch (IllegalArgumentException e) {
      ws.close((short) 1003, "expected {\"host\",\"port\"}");
      return;
    }
    if (lite != null) {
      lite.registerGateway(gatewayId);
    }
    ws.writeTextMessage(Keepalive.ACCEPTED);
    timer = clock.setPeriodic(intervalMillis, this::ping);
  }

  private void ping() {
    if (dropped) {
      return;
    }
    if (unanswered >= 2) {
      logger.log(System.Logger.Level.WARNING,
          "gateway " + gatewayId + " missed two pings: dropping it");
      drop();
      ws.close();
      return;
    }
    unanswered++;
    ws.writePing(Buffer.buffer("ping"));
  }

  /**
   * Released at once when the gateway is dropped: a peer that answers no ping may not
   * answer the close handshake either, and its requests must not wait for that.
   */
  void drop() {
    if (dropped) {
      return;
    }
    dropped = true;
    if (timer >= 0) {
      clock.cancelTimer(timer);
    }
    if (gatewayId != null && lite != null) {
      int released = lite.gatewayGone(gatewayId);
      logger.log(System.Logger.Level.INFO,
          "gateway " + gatewayId + " disconnected; released " + released + " requests");
    }
  }
}
