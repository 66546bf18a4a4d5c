/**
 * OpenAI's chat and completion protocol, spoken by the gateway, the engine simulator, the load
 * generator and the tests: request validation ({@link io.llumnix.openai.OpenAiRequest}, with
 * the gateway/engine differences in one {@link io.llumnix.openai.Dialect}), the error JSON and
 * its type table ({@link io.llumnix.openai.OpenAiError}), server-sent events
 * ({@link io.llumnix.openai.Sse}, {@link io.llumnix.openai.SseDecoder}), and the response
 * shapes ({@link io.llumnix.openai.ChunkWriter}, {@link io.llumnix.openai.BodyWriter},
 * {@link io.llumnix.openai.CompletionChunk}).
 */
@NullMarked
package io.llumnix.openai;

import org.jspecify.annotations.NullMarked;
