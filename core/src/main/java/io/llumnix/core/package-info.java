/**
 * The small core of Llumnix for the JVM: domain values shared by every component, the metrics
 * catalogue and configuration resolution. Nothing here talks HTTP, Redis or Prometheus; the
 * build enforces that.
 */
@NullMarked
package io.llumnix.core;

import org.jspecify.annotations.NullMarked;
