/**
 * Lite mode's local real-time state (LRS): the scheduler's own per-instance request and token
 * counts, kept from dispatches, token reports and releases, since unmodified engines report no
 * load of their own.
 */
@NullMarked
package io.llumnix.scheduler.lrs;

import org.jspecify.annotations.NullMarked;
