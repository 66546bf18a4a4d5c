/** The gateway-facing HTTP API of the scheduler: JSON shapes of llumnix.md §1. */
@NullMarked
package io.llumnix.scheduler.api;

import org.jspecify.annotations.NullMarked;
