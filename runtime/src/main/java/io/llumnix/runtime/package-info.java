/**
 * What every running part shares below its own logic: the event-loop
 * {@link io.llumnix.runtime.VertxClock}, Redis connections ({@code redis}) and the child
 * processes a local cluster and the tests start ({@code process}).
 */
@NullMarked
package io.llumnix.runtime;

import org.jspecify.annotations.NullMarked;
