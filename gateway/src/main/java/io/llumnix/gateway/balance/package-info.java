/**
 * Choosing the instance for a request: the remote scheduler with fail-over between endpoints,
 * and round-robin, locally or as the fallback while no scheduler answers.
 */
@NullMarked
package io.llumnix.gateway.balance;

import org.jspecify.annotations.NullMarked;
