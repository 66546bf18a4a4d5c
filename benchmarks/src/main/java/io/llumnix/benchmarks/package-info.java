package io.llumnix.benchmarks;
