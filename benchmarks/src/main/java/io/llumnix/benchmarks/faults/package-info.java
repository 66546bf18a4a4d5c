/**
 * Whole-cluster fault suite and soak: real processes started from the runnable jar, a streaming
 * load through the gateway, faults (SIGKILL, SIGSTOP, restarts) injected while it runs, and each
 * stream's outcome tallied. Loopback only; every loop and wait is bounded.
 */
@NullMarked
package io.llumnix.benchmarks.faults;

import org.jspecify.annotations.NullMarked;
