/**
 * A whole cluster on one machine, in one process ({@link io.llumnix.local.LocalCluster}), and a
 * real Prometheus scraping it with the labels of the Kubernetes monitors
 * ({@link io.llumnix.local.LocalPrometheus}).
 */
@NullMarked
package io.llumnix.local;

import org.jspecify.annotations.NullMarked;
