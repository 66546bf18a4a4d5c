package io.llumnix.benchmarks.faults;

/** How a stream ended. */
enum Outcome {
  /** [DONE], no error event, every token in order. */
  OK("ok"),
  /** An error event, then [DONE]. */
  ERROR_EVENT("err-event"),
  /** A status other than 200. */
  HTTP_ERROR("http"),
  /** No byte for more than 60 s, or still open when the run ended. */
  HUNG("hung"),
  /** The response ended (or broke) without [DONE]. */
  TRUNCATED("truncated"),
  /** No response: connection refused, reset or closed before the status line. */
  CONN_FAILED("conn-failed"),
  /** [DONE] without an error event, but tokens missing, repeated or out of order. */
  BAD_TOKENS("bad-tokens");

  final String label;

  Outcome(String label) {
    this.label = label;
  }
}
