/**
 * The gateway: speaks OpenAI's API to clients, tokenizes, asks the scheduler (or its own
 * round-robin) for an instance, forwards to the engine, relays the tokens, and measures every
 * request.
 */
@NullMarked
package io.llumnix.gateway;

import org.jspecify.annotations.NullMarked;
