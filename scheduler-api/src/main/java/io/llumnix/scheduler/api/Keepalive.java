package io.llumnix.scheduler.api;

import io.llumnix.core.json.JsonText;
import io.vertx.core.json.JsonObject;

/**
 * The {@code /keepalive} WebSocket, as both sides speak it: the gateway sends
 * {@code {"host":"<local ip>","port":<local port>}}, the scheduler answers {@code ok}, then
 * pings every interval; either side drops the socket when two intervals pass without a ping
 * (gateway) or with two pings unanswered (scheduler). The address is the gateway's id in
 * {@code gateway_id}.
 */
public final class Keepalive {

  /** The path of the WebSocket. */
  public static final String PATH = "/keepalive";

  /** The scheduler's answer to the hello. */
  public static final String ACCEPTED = "ok";

  /** The reference's ping interval (and the gateway's check interval). */
  public static final long DEFAULT_INTERVAL_MILLIS = 3000;

  private Keepalive() {}

  /** The gateway's hello for its socket's local address. */
  public static String hello(String host, int port) {
    return JsonText.quote(new StringBuilder("{\"host\":"), host).append(",\"port\":")
        .append(port).append('}').toString();
  }

  /**
   * The gateway id a hello announces, {@code host:port}.
   *
   * @throws IllegalArgumentException when the text is not a hello
   */
  public static String gatewayId(String hello) {
    try {
      JsonObject json = new JsonObject(hello);
      Object host = json.getValue("host");
      Object port = json.getValue("port");
      if (!(host instanceof String) || port == null) {
        throw new IllegalArgumentException("expected {\"host\",\"port\"}");
      }
      return host + ":" + port;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("expected {\"host\",\"port\"}: " + e.getMessage(), e);
    }
  }
}
