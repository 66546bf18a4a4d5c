/** Serving instances as the control plane sees them: engine endpoints with a role and model. */
@NullMarked
package io.llumnix.core.instance;

import org.jspecify.annotations.NullMarked;
