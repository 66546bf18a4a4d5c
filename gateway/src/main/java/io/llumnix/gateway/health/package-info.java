/** Telling dead and frozen engines from slow ones, while requests wait on them. */
@NullMarked
package io.llumnix.gateway.health;

import org.jspecify.annotations.NullMarked;
