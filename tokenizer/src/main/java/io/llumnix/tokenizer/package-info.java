/** Prompt tokenization (a HuggingFace tokenizer, or a fast built-in one) and chat rendering. */
@NullMarked
package io.llumnix.tokenizer;

import org.jspecify.annotations.NullMarked;
