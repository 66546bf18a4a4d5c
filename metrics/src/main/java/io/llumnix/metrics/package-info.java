/**
 * The metrics catalogue bound to the Prometheus Java client: a per-component registry that caps
 * label cardinality, exports uptime, JVM and process metrics, and serves {@code GET /metrics}
 * and {@code GET /healthz}.
 */
@NullMarked
package io.llumnix.metrics;

import org.jspecify.annotations.NullMarked;
