package io.llumnix.discovery;

import io.llumnix.core.instance.LlmInstance;
import java.util.Arrays;
import java.util.List;

/** Instances given on the command line ({@code --llm-backend-endpoints}), as the reference builds them. */
public final class StaticEndpoints {

  private StaticEndpoints() {}

  /**
   * Parses {@code host:port[,host:port...]}; blanks are skipped.
   *
   * @throws IllegalArgumentException for an entry that is not {@code host:port}
   */
  public static List<LlmInstance> parse(String endpoints) {
    if (endpoints.isBlank()) {
      return List.of();
    }
    return Arrays.stream(endpoints.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).map(StaticEndpoints::endpoint).toList();
  }

  private static LlmInstance endpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      return LlmInstance.ofEndpoint(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--llm-backend-endpoints: " + hostPort + " (expected: host:port[,host:port...])", e);
    }
  }
}
