/** JSON text written without building trees, for hot paths. */
@NullMarked
package io.llumnix.core.json;

import org.jspecify.annotations.NullMarked;
