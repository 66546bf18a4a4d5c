/**
 * Forwarding, the stage that reaches engines: a {@link io.llumnix.gateway.forward.Forwarder}
 * per way of reaching them (neutral now), registered in
 * {@link io.llumnix.gateway.forward.Forwarders}.
 */
@NullMarked
package io.llumnix.gateway.forward;

import org.jspecify.annotations.NullMarked;
