/**
 * The scheduler's API as gateways and schedulers both speak it, wire-compatible with the
 * reference: the {@link io.llumnix.scheduler.api.SchedulingRequest} of {@code /schedule} and
 * {@code /release} and its JSON ({@link io.llumnix.scheduler.api.SchedulingJson}), the items of
 * {@code /report}, the answers ({@link io.llumnix.scheduler.api.Outcome},
 * {@link io.llumnix.scheduler.api.ErrorType}), the {@code /keepalive} handshake, and a typed
 * client.
 */
@NullMarked
package io.llumnix.scheduler.api;

import org.jspecify.annotations.NullMarked;
