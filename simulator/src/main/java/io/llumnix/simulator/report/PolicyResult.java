package io.llumnix.simulator.report;

/**
 * What one policy achieved on the workload.
 *
 * @param name how the run is called in reports, e.g. {@code full:load-balance}
 * @param ttftMs time to first token, from arrival at the gateway
 * @param tpotMs time per output token after the first, per request
 * @param itlMs the gaps between consecutive tokens, over all tokens
 * @param e2eMs arrival to last token
 * @param completed requests that got their whole answer
 * @param rejected requests refused (queue full, or no instance within the scheduling timeout)
 * @param preemptions preemptions in all engines
 * @param prefixCacheHitRatio prompt tokens found in the prefix cache / prompt tokens looked up
 * @param throughputTokS output tokens per second of virtual time, first arrival to last token
 * @param requestsPerSecond completed requests per second over the same span
 * @param goodputReqS completed requests within the SLOs per second
 * @param goodputFraction the share of all requests (rejected ones too) completed within the SLOs
 * @param virtualSeconds the virtual time the run spanned
 * @param wallSeconds the real time the simulation took
 */
public record PolicyResult(String name, Summary ttftMs, Summary tpotMs, Summary itlMs,
    Summary e2eMs, long completed, long rejected, long preemptions, double prefixCacheHitRatio,
    double throughputTokS, double requestsPerSecond, double goodputReqS, double goodputFraction,
    double virtualSeconds, double wallSeconds, Cdf ttftCdf, Cdf tpotCdf, Cdf e2eCdf,
    LoadSeries load) {}
