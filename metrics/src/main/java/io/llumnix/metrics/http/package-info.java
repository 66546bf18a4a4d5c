/** The HTTP routes every component serves for operators: {@code /metrics} and {@code /healthz}. */
@NullMarked
package io.llumnix.metrics.http;

import org.jspecify.annotations.NullMarked;
