package io.llumnix.scheduler.api;

import io.llumnix.core.config.HostPort;
import java.util.List;

/** One scheduler's address, {@code host:port}. */
public record SchedulerEndpoint(String host, int port) {

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static SchedulerEndpoint parse(String hostPort) {
    return of(HostPort.parse("--scheduler-endpoints", hostPort));
  }

  /** Parses a comma-separated list; blanks are skipped. */
  public static List<SchedulerEndpoint> parseList(String hostPorts) {
    return HostPort.parseList("--scheduler-endpoints", hostPorts).stream()
        .map(SchedulerEndpoint::of).toList();
  }

  private static SchedulerEndpoint of(HostPort address) {
    return new SchedulerEndpoint(address.host(), address.port());
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
