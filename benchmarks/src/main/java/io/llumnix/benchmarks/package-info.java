/**
 * Benchmarks: JMH micro-benchmarks of hot paths and load runs of whole components. Results go
 * into issue notes with the command that produced them; no test asserts a timing.
 */
@NullMarked
package io.llumnix.benchmarks;

import org.jspecify.annotations.NullMarked;
