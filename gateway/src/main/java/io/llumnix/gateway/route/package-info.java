/**
 * Routing: where a request goes by the route policy over the hot-reloaded route config — the
 * local cluster or an external OpenAI-compatible server — and the fallback chain, with its 429
 * retry queue, that takes requests whose route failed ({@link io.llumnix.gateway.route.Routing}).
 */
@NullMarked
package io.llumnix.gateway.route;

import org.jspecify.annotations.NullMarked;
