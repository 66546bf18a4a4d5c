package io.llumnix.enginesim.core;

/**
 * The engine core's limits and model, as vLLM's scheduler and cache configs hold them.
 *
 * @param maxNumBatchedTokens the token budget of one step
 * @param maxNumSeqs the most requests running at once
 * @param blockSize tokens per KV block
 * @param numGpuBlocks KV blocks, the null block included
 * @param maxModelLen the longest prompt plus output
 * @param enablePrefixCaching whether full blocks are found again by their hash chain
 * @param profile the step-time model
 * @param jitter relative step-time jitter, uniform in [-jitter, +jitter]
 * @param seed seeds the jitter
 */
public record CoreConfig(int maxNumBatchedTokens, int maxNumSeqs, int blockSize,
    int numGpuBlocks, int maxModelLen, boolean enablePrefixCaching, StepProfile profile,
    double jitter, long seed) {

  public CoreConfig {
    require(maxNumBatchedTokens > 0, "maxNumBatchedTokens", maxNumBatchedTokens, "> 0");
    require(maxNumSeqs > 0, "maxNumSeqs", maxNumSeqs, "> 0");
    require(blockSize > 0, "blockSize", blockSize, "> 0");
    require(numGpuBlocks >= 2, "numGpuBlocks", numGpuBlocks, ">= 2");
    require(maxModelLen > 1, "maxModelLen", maxModelLen, "> 1");
    require(jitter >= 0 && jitter < 1, "jitter", jitter, "in [0, 1)");
  }

  private static void require(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }
}
