package io.llumnix.core.instance;

import static java.util.Objects.requireNonNull;

/**
 * One serving instance (one data-parallel rank of an engine), as discovery reports it and as the
 * scheduler returns it (the {@code LLMInstance} of the scheduler API).
 *
 * @param version grows when the instance is re-registered; a higher version replaces the old
 *     state
 * @param id the instance id; empty means the canonical id derived from the other fields
 * @param auxIp the KV-transfer address; empty when none
 * @param auxPort the KV-transfer port; 0 when none
 * @param dpSize the data-parallel size; 0 when not data-parallel
 */
public record LlmInstance(long version, String id, String model, InferType inferType,
    String host, int port, String auxIp, int auxPort, int dpRank, int dpSize) {

  public LlmInstance {
    requireNonNull(id, "id");
    requireNonNull(model, "model");
    requireNonNull(inferType, "inferType");
    requireNonNull(host, "host");
    requireNonNull(auxIp, "auxIp");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
  }

  /**
   * A statically configured endpoint: empty id, neutral, and the KV-transfer address the
   * reference assumes ({@code host:(20000 + port)}).
   */
  public static LlmInstance ofEndpoint(String host, int port) {
    return new LlmInstance(0, "", "", InferType.NEUTRAL, host, port, host, 20000 + port, 0, 0);
  }

  /** {@code host:port} of the OpenAI API. */
  public String endpoint() {
    return host + ":" + port;
  }

  /**
   * The id, or when empty the reference's canonical id: the "-"-join of the model and infer type,
   * {@code host:port}, the aux ip and port when set, and {@code rank/size} when data-parallel.
   */
  public String canonicalId() {
    if (!id.isEmpty()) {
      return id;
    }
    StringBuilder result = new StringBuilder();
    if (!model.isEmpty()) {
      result.append(model).append('|');
    }
    result.append(inferType.label()).append('-').append(endpoint());
    if (!auxIp.isEmpty()) {
      result.append('-').append(auxIp);
    }
    if (auxPort > 0) {
      result.append('-').append(auxPort);
    }
    if (dpSize > 0) {
      result.append('-').append(dpRank).append('/').append(dpSize);
    }
    return result.toString();
  }
}
