package io.llumnix.scheduler.api;

import java.util.Arrays;
import java.util.List;

/** One scheduler's address, {@code host:port}. */
public record SchedulerEndpoint(String host, int port) {

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static SchedulerEndpoint parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (colon <= 0 || port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new SchedulerEndpoint(hostPort.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--scheduler-endpoints: " + hostPort
          + " (expected: host:port[,host:port...])", e);
    }
  }

  /** Parses a comma-separated list; blanks are skipped. */
  public static List<SchedulerEndpoint> parseList(String hostPorts) {
    return Arrays.stream(hostPorts.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(SchedulerEndpoint::parse).toList();
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
