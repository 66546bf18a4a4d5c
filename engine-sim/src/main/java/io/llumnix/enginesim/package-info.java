/**
 * The vLLM-compatible engine simulator: engines that speak vLLM's OpenAI API and export its
 * metrics, with a simulated engine core and step-time model instead of a GPU.
 */
@NullMarked
package io.llumnix.enginesim;

import org.jspecify.annotations.NullMarked;
