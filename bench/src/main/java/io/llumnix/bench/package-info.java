/**
 * {@code llumnix bench}: load for any OpenAI-compatible server (our gateway, an engine, vLLM),
 * with configurable arrivals, concurrency and lengths, and a latency report.
 */
@NullMarked
package io.llumnix.bench;

import org.jspecify.annotations.NullMarked;
