/**
 * The gateway: speaks OpenAI's API to clients and carries each request through its pipeline —
 * {@code admission} → {@code queue} → {@code scheduling} (a lease of instances) →
 * {@code forward} (reaching engines) → {@code relay} (the client's answer), measured by
 * {@code observe}; {@link io.llumnix.gateway.Exchange} moves a request between the stages.
 */
@NullMarked
package io.llumnix.gateway;

import org.jspecify.annotations.NullMarked;
