package io.llumnix.gateway.scheduling;

import io.llumnix.core.time.Clock;
import io.llumnix.scheduler.api.Keepalive;
import io.llumnix.scheduler.api.SchedulerEndpoint;
import io.llumnix.scheduler.api.ServiceToken;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's {@code /keepalive} to a scheduler: while a scheduler holds it, the gateway is
 * registered (its id is the socket's local {@code host:port}) and scheduling goes through that
 * scheduler.
 *
 * <p>Design notes. Unlike the reference, the gateway never waits for a scheduler and uses every
 * endpoint: it dials them in turn, moving to the next when one fails, when one stops pinging
 * (two silent checks, as the reference drops it), or when the balancer reports three failed
 * calls in a row; it redials after the reconnect interval. A dropped keepalive means the
 * scheduler released this gateway's requests. Timers run on the clock. The upgrade carries the
 * {@code --service-token} ({@code Authorization: Bearer}) as the scheduler's other routes get
 * it; a scheduler refusing it is logged once until one accepts, not at every redial.
 */
final class SchedulerConnection {

  private static final System.Logger logger =
      System.getLogger(SchedulerConnection.class.getName());

  private final Clock clock;
  private final WebSocketClient sockets;
  private final List<SchedulerEndpoint> endpoints;
  private final long reconnectMillis;
  private final long pingCheckMillis;
  private final Runnable onDropped;
  private final ServiceToken token;
  private volatile int endpoint;
  private volatile boolean refusalLogged;
  private volatile @Nullable String gatewayId;
  private volatile @Nullable WebSocket socket;
  private volatile boolean closed;

  /**
   * @param pingCheckMillis the keepalive is dropped when two checks this far apart saw no ping
   * @param onDropped runs when a keepalive that was accepted drops
   * @param token sent on the upgrade when set: the {@code --service-token} the calls carry too
   */
  SchedulerConnection(Vertx vertx, Clock clock, List<SchedulerEndpoint> endpoints,
      long reconnectMillis, long pingCheckMillis, Runnable onDropped, ServiceToken token) {
    this.clock = clock;
    this.sockets = vertx.createWebSocketClient();
    this.endpoints = List.copyOf(endpoints);
    this.reconnectMillis = reconnectMillis;
    this.pingCheckMillis = pingCheckMillis;
    this.onDropped = onDropped;
    this.token = token;
  }

  /** This gateway's id while a scheduler accepts it, else null. */
  @Nullable String gatewayId() {
    return gatewayId;
  }

  /** The endpoint calls go to. */
  SchedulerEndpoint current() {
    return endpoints.get(Math.floorMod(endpoint, endpoints.size()));
  }

  /** Drops the keepalive, so that it reconnects to the next endpoint. */
  void failOver() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.close();
    }
  }

  void close() {
    closed = true;
    failOver();
  }

  void connect() {
    if (closed) {
      return;
    }
    SchedulerEndpoint target = current();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.host())
        .setPort(target.port()).setURI(Keepalive.PATH);
    if (token.enabled()) {
      options.addHeader(HttpHeaders.AUTHORIZATION, token.authorization());
    }
    sockets.connect(options)
        .onSuccess(ws -> {
          refusalLogged = false;
          keep(target, ws);
        })
        .onFailure(e -> {
          if (e instanceof UpgradeRejectedException rejected
              && (rejected.getStatus() == 401 || rejected.getStatus() == 403)
              && !refusalLogged) {
            refusalLogged = true;
            logger.log(System.Logger.Level.WARNING, "scheduler " + target + " refused the "
                + "keepalive (" + rejected.getStatus() + "): "
                + (token.enabled() ? "its --service-token differs from ours"
                    : "it requires a --service-token and we have none")
                + "; scheduling round-robin meanwhile");
          }
          endpoint++;
          clock.setTimer(reconnectMillis, this::connect);
        });
  }

  private void keep(SchedulerEndpoint target, WebSocket ws) {
    socket = ws;
    String local = ws.localAddress().host() + ":" + ws.localAddress().port();
    boolean[] pinged = {true};
    int[] silentChecks = {0};
    ws.frameHandler(frame -> {
      if (frame.isPing()) {
        pinged[0] = true;
      } else if (frame.isText() && frame.textData().equals(Keepalive.ACCEPTED)
          && gatewayId == null) {
        gatewayId = local;
        logger.log(System.Logger.Level.INFO, "scheduler " + target + " accepted this gateway as "
            + local);
      }
    });
    long watchdog = clock.setPeriodic(pingCheckMillis, () -> {
      silentChecks[0] = pinged[0] ? 0 : silentChecks[0] + 1;
      pinged[0] = false;
      if (silentChecks[0] >= 2) {
        logger.log(System.Logger.Level.WARNING, "scheduler " + target
            + " sent no ping for two checks: dropping its keepalive");
        ws.close();
      }
    });
    ws.closeHandler(ignored -> {
      clock.cancelTimer(watchdog);
      socket = null;
      boolean wasAccepted = gatewayId != null;
      gatewayId = null;
      if (wasAccepted) {
        onDropped.run();
      }
      endpoint++;
      if (!closed) {
        logger.log(System.Logger.Level.WARNING, "scheduler " + target
            + " keepalive closed; round-robin until a scheduler accepts us again");
        clock.setTimer(reconnectMillis, this::connect);
      }
    });
    ws.writeTextMessage(Keepalive.hello(ws.localAddress().host(), ws.localAddress().port()));
  }
}
