/**
 * Workloads: synthetic ones drawn from a seed (arrival processes, length distributions,
 * shared-prefix tenants, multi-turn sessions) and traces read from a file.
 */
@NullMarked
package io.llumnix.simulator.workload;

import org.jspecify.annotations.NullMarked;
