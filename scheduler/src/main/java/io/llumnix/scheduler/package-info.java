/**
 * The scheduler: for each request it picks the instance that will serve it fastest, by a
 * dispatch policy over a live view of every instance's load, and serves the gateway-facing API.
 */
@NullMarked
package io.llumnix.scheduler;

import org.jspecify.annotations.NullMarked;
