/** Where flag values come from besides the command line: environment variables and a file. */
@NullMarked
package io.llumnix.core.config;

import org.jspecify.annotations.NullMarked;
