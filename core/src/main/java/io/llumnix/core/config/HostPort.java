package io.llumnix.core.config;

import java.util.Arrays;
import java.util.List;

/** An address as flags give it, {@code host:port}. */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port}.
   *
   * @param flag the flag it came from, for the error message
   * @throws IllegalArgumentException when it is not {@code host:port} with a port in 1-65535
   */
  public static HostPort parse(String flag, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (colon <= 0 || port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(hostPort.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + hostPort
          + " (expected: host:port[,host:port...])", e);
    }
  }

  /** Parses a comma-separated list; blank entries are skipped. */
  public static List<HostPort> parseList(String flag, String hostPorts) {
    return Arrays.stream(hostPorts.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> parse(flag, s)).toList();
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
