/**
 * Relaying an engine's answer: one decoder of its stream into typed chunks
 * ({@link io.llumnix.gateway.relay.EngineStream}) and one writer per output shape — chat or
 * completion, streamed ({@code StreamWriter}) or one body ({@code WholeBodyWriter}). A stream's
 * chunks made in one round of the event loop leave in one socket write.
 */
@NullMarked
package io.llumnix.gateway.relay;

import org.jspecify.annotations.NullMarked;
