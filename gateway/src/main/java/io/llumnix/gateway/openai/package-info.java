/** OpenAI request validation and the chat and completion response shapes the gateway writes. */
@NullMarked
package io.llumnix.gateway.openai;

import org.jspecify.annotations.NullMarked;
