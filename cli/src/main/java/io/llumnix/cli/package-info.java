/**
 * The {@code llumnix} command line: one picocli subcommand per component, flags named as the
 * reference's, each also settable from an environment variable or a config file.
 */
@NullMarked
package io.llumnix.cli;

import org.jspecify.annotations.NullMarked;
