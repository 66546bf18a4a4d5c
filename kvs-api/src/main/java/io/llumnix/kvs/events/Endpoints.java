package io.llumnix.kvs.events;

import java.util.Locale;

/** ZeroMQ endpoint strings as vLLM's publisher reads them. */
final class Endpoints {

  /**
   * The ZMTP handshake timeout for sockets that connect. jeromq 0.6.0 sometimes leaves a fresh
   * outgoing connection without its handshake (a selector race on the connecting side, a few
   * percent of connections under load); the handshake timeout is what tears it down and
   * reconnects, and its default of 30 s would leave a subscriber deaf that long. A handshake
   * within a cluster takes well under a millisecond.
   */
  static final int CONNECT_HANDSHAKE_MS = 500;

  private Endpoints() {}

  /**
   * Whether a socket on {@code endpoint} should bind rather than connect: vLLM binds on
   * wildcards and on local transports ("bind the stable side, connect the volatile one"); we
   * also bind on TCP port 0, which can only mean "any free port".
   */
  static boolean binds(String endpoint) {
    return endpoint.contains("*") || endpoint.contains("::")
        || endpoint.startsWith("ipc://") || endpoint.startsWith("inproc://")
        || (endpoint.startsWith("tcp://") && endpoint.endsWith(":0"));
  }

  /**
   * {@code endpoint} moved by {@code offset}, as vLLM moves it per data-parallel rank: a TCP
   * port plus the offset, an inproc name with {@code _dp<offset>} appended. Unlike vLLM, an
   * ephemeral port (0 or {@code *}) stays ephemeral, so that tests can start many instances.
   */
  static String offsetPort(String endpoint, int offset) {
    if (offset == 0) {
      return endpoint;
    }
    if (endpoint.contains("inproc")) {
      return endpoint + "_dp" + offset;
    }
    if (!endpoint.contains("tcp")) {
      throw new IllegalArgumentException(
          "--kv-events-config: cannot offset the port of " + endpoint + " (not tcp or inproc)");
    }
    int colon = endpoint.lastIndexOf(':');
    String port = endpoint.substring(colon + 1);
    if (port.equals("*") || port.equals("0")) {
      return endpoint;
    }
    int base = parsePort(endpoint, port);
    if (base + (long) offset > 65_535) {
      throw new IllegalArgumentException(
          "--kv-events-config: port " + base + " + " + offset + " is past 65535");
    }
    return endpoint.substring(0, colon + 1) + (base + offset);
  }

  /** The TCP port of {@code endpoint}, or -1 when it has none (ipc, inproc, a wildcard port). */
  static int tcpPort(String endpoint) {
    if (!endpoint.toLowerCase(Locale.ROOT).startsWith("tcp://")) {
      return -1;
    }
    String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
    return port.equals("*") ? -1 : parsePort(endpoint, port);
  }

  private static int parsePort(String endpoint, String port) {
    try {
      int value = Integer.parseInt(port);
      if (value < 0 || value > 65_535) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--kv-events-config: no valid port in endpoint " + endpoint, e);
    }
  }
}
