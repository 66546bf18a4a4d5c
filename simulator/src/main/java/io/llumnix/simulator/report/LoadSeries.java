package io.llumnix.simulator.report;

import java.util.List;

/**
 * Each instance's load over the run, sampled every {@code intervalSeconds} of virtual time from
 * the first arrival: {@code requests[i][s]} requests (running and waiting) and
 * {@code kvUsage[i][s]} KV-cache usage (0..1) on instance {@code instances.get(i)} at sample
 * {@code s}.
 */
public record LoadSeries(double intervalSeconds, List<String> instances, int[][] requests,
    float[][] kvUsage) {}
