/** Servers started as child processes, each in a temporary folder removed when it stops. */
@NullMarked
package io.llumnix.runtime.process;

import org.jspecify.annotations.NullMarked;
