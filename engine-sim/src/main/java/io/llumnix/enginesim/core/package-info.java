/**
 * The simulated engine core, a pure state machine with vLLM v1's scheduling semantics: a token
 * budget per step, running requests before waiting ones, chunked prefill, a paged KV cache with
 * prefix caching and LRU eviction, and preemption by recompute. It owns no thread and reads no
 * clock: the caller passes the simulated time, so tests drive it step by step.
 */
@NullMarked
package io.llumnix.enginesim.core;

import org.jspecify.annotations.NullMarked;
