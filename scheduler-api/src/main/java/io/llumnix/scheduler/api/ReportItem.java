package io.llumnix.scheduler.api;

import io.llumnix.core.instance.InferType;

/**
 * One item of a lite-mode {@code /report}: a request's progress on one instance.
 *
 * @param instanceId the instance's canonical id
 * @param gatewayId the reporting gateway's keepalive address
 * @param numTokens prompt plus output tokens so far ({@link Kind#STATE_UPDATE})
 */
public record ReportItem(Kind kind, String id, String model, InferType inferType,
    String instanceId, String gatewayId, long numTokens) {

  /** What the item says. */
  public enum Kind {
    /** The request holds {@code num_tokens} tokens. */
    STATE_UPDATE("state_update"),
    /** The request's first token came back: its prefill is done. */
    PREFILL_DONE("prefill_done");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** {@code prefill_done}, else (as the reference reads it) a state update. */
    public static Kind of(String value) {
      return value.equals(PREFILL_DONE.wire) ? PREFILL_DONE : STATE_UPDATE;
    }
  }
}
