/** What a simulation reports: the records, and their text, JSON and HTML forms. */
@NullMarked
package io.llumnix.simulator.report;

import org.jspecify.annotations.NullMarked;
