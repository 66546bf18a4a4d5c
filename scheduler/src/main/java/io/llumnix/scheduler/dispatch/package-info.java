/**
 * Dispatch for both modes: the {@link io.llumnix.scheduler.dispatch.Dispatcher} (mode and
 * stage, the policy's choice, the bookkeeping) and the
 * {@link io.llumnix.scheduler.dispatch.PolicyRegistry} of policies by mode and name.
 */
@NullMarked
package io.llumnix.scheduler.dispatch;

import org.jspecify.annotations.NullMarked;
