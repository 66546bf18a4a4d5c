/**
 * Dispatch policies as data: per infer type, a list of metrics (lower is better), instance
 * filters (with a fallback pass that drops skippable ones) and a selector, built by name from
 * configuration through one explicit {@link io.llumnix.scheduler.policy.PolicyRegistry}.
 */
@NullMarked
package io.llumnix.scheduler.policy;

import org.jspecify.annotations.NullMarked;
