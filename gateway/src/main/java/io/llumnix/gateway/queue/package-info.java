/** The bounded, priority-ordered queue in front of scheduling, and its 429 when full. */
@NullMarked
package io.llumnix.gateway.queue;

import org.jspecify.annotations.NullMarked;
