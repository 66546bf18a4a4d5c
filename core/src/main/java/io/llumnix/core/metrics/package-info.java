/**
 * The metrics catalogue: every metric a Llumnix component may export, declared once with its
 * exact name, type, help text, label names and buckets. Components register the specs they use
 * through the {@code llumnix-metrics} module.
 */
@NullMarked
package io.llumnix.core.metrics;

import org.jspecify.annotations.NullMarked;
