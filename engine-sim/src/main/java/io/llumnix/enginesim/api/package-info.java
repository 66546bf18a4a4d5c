/** vLLM's OpenAI-compatible HTTP API over a simulated engine. */
@NullMarked
package io.llumnix.enginesim.api;

import org.jspecify.annotations.NullMarked;
