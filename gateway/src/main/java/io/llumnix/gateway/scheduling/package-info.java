/**
 * Choosing the instances for a request: a {@link io.llumnix.gateway.scheduling.Balancer}
 * grants a {@link io.llumnix.gateway.scheduling.Lease} that ends exactly once — the remote
 * scheduler with fail-over between endpoints, or round-robin, locally or while no scheduler
 * answers.
 */
@NullMarked
package io.llumnix.gateway.scheduling;

import org.jspecify.annotations.NullMarked;
