/**
 * Time, injected: the {@link io.llumnix.core.time.Clock} every waiting or measuring component
 * takes, and a {@link io.llumnix.core.time.ManualClock} that tests move by hand.
 */
@NullMarked
package io.llumnix.core.time;

import org.jspecify.annotations.NullMarked;
