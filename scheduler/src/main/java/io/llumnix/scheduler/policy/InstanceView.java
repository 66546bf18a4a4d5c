package io.llumnix.scheduler.policy;

import io.llumnix.core.instance.LlmInstance;

/** What policies see of one instance: the instance and its load. */
public interface InstanceView {

  LlmInstance instance();

  /** The instance's canonical id; implementations should return a cached string. */
  default String id() {
    return instance().canonicalId();
  }

  /** Requests the scheduler has dispatched to the instance and not seen end. */
  int numRequests();

  /** Tokens (prompt plus output so far) of those requests. */
  long numTokens();
}
