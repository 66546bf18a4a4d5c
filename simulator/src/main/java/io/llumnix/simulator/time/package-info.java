/** Virtual time: the event queue a simulation runs on, and the clock its components read. */
@NullMarked
package io.llumnix.simulator.time;

import org.jspecify.annotations.NullMarked;
