package io.llumnix.discovery;

import io.llumnix.core.config.HostPort;
import io.llumnix.core.instance.LlmInstance;
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
    return HostPort.parseList("--llm-backend-endpoints", endpoints).stream()
        .map(address -> LlmInstance.ofEndpoint(address.host(), address.port())).toList();
  }
}
