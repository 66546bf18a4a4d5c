/**
 * What the gateway measures: {@link io.llumnix.gateway.observe.GatewayMetrics} (the series)
 * and {@link io.llumnix.gateway.observe.RequestObservation}, the one place a request's metrics
 * are recorded.
 */
@NullMarked
package io.llumnix.gateway.observe;

import org.jspecify.annotations.NullMarked;
