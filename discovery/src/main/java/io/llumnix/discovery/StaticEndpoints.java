package io.llumnix.discovery;

import io.llumnix.core.config.HostPort;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * Instances given on the command line ({@code --llm-backend-endpoints}), as the reference
 * builds them; an entry may name its infer type ({@code prefill@host:port}), else it is
 * neutral.
 */
public final class StaticEndpoints {

  private StaticEndpoints() {}

  /**
   * Parses {@code [type@]host:port[,[type@]host:port...]}; blanks are skipped.
   *
   * @throws IllegalArgumentException for an entry that is not {@code host:port}, or an unknown
   *     type
   */
  public static List<LlmInstance> parse(String endpoints) {
    List<LlmInstance> instances = new ArrayList<>();
    for (String entry : endpoints.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int at = trimmed.indexOf('@');
      InferType type;
      try {
        type = at < 0 ? InferType.NEUTRAL : InferType.of(trimmed.substring(0, at));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--llm-backend-endpoints: " + trimmed
            + " (expected: [neutral|prefill|decode@]host:port)", e);
      }
      HostPort address = HostPort.parse("--llm-backend-endpoints", trimmed.substring(at + 1));
      LlmInstance instance = LlmInstance.ofEndpoint(address.host(), address.port());
      instances.add(type == InferType.NEUTRAL ? instance : new LlmInstance(0, "", "", type,
          instance.host(), instance.port(), instance.auxIp(), instance.auxPort(), 0, 0));
    }
    return List.copyOf(instances);
  }
}
