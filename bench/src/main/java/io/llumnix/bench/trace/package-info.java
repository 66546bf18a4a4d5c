/**
 * Request traces: one JSON object a line ({@code arrival_ms}, {@code prompt_tokens},
 * {@code output_tokens}, optional token ids, prefix group and session), written by
 * {@code llumnix bench --record} and replayed in virtual time by {@code llumnix simulate}.
 */
@NullMarked
package io.llumnix.bench.trace;

import org.jspecify.annotations.NullMarked;
