package io.llumnix.scheduler.api;

/** What {@code /schedule} or {@code /release} answers. */
public sealed interface Outcome {

  /** 200, with the request echoed and its result. */
  record Scheduled(SchedulingRequest answer) implements Outcome {}

  /**
   * An error status with the reference's plain-text message: 429 {@code no available
   * endpoint}, 400 {@code cms not available}, 400 {@code invalid scheduling req}, ...
   */
  record Failed(int status, String message) implements Outcome {}
}
