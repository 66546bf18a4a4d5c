package io.llumnix.scheduler.cms;

/**
 * The request a view is dispatching now, as the per-request metrics need it: each dispatch
 * takes a new stamp, so hit lengths set for an earlier request read as no hit without clearing
 * every instance. Owned by the scheduler's event loop.
 */
final class DispatchContext {
  long stamp;
  int promptTokens;
  /** Whether the current request was looked up in the prefix index. */
  boolean lookedUp;
  /** The longest hit of any instance for the current request. */
  int maxHit;
}
