package io.llumnix.scheduler.api;

import io.llumnix.core.instance.InferType;

/**
 * One item of a {@code /report}: a request's progress on one instance (lite mode), or an
 * instance that failed a request (both modes; ours, not the reference's).
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
    PREFILL_DONE("prefill_done"),
    /**
     * The instance failed the request at the transport level: refused the connection, cut the
     * stream, or stopped answering. The scheduler passes it over for a while.
     */
    INSTANCE_FAILED("instance_failed");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /**
     * {@code prefill_done}, {@code instance_failed}, else (as the reference reads it) a state
     * update.
     */
    public static Kind of(String value) {
      if (value.equals(PREFILL_DONE.wire)) {
        return PREFILL_DONE;
      }
      return value.equals(INSTANCE_FAILED.wire) ? INSTANCE_FAILED : STATE_UPDATE;
    }
  }
}
