/**
 * The simulated cluster's parts in virtual time: engines (the engine simulator's core and
 * llumlet) and the gateway (its queue and scheduling rules) around the production scheduler.
 */
@NullMarked
package io.llumnix.simulator.cluster;

import org.jspecify.annotations.NullMarked;
