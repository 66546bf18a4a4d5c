package io.llumnix.enginesim.core;

import io.llumnix.kvs.hash.BlockHashAlgo;
import org.jspecify.annotations.Nullable;

/**
 * The engine core's limits and model, as vLLM's scheduler and cache configs hold them. Built
 * with {@link #builder()}; the defaults are Llama-3.1-8B on one H100 with vLLM's defaults.
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
 * @param prefixHashAlgo vLLM's {@code --prefix-caching-hash-algo}: blocks are hashed exactly as
 *     vLLM hashes them (so the hashes in KV-cache events are vLLM's); null for a fast 64-bit
 *     chain that only this engine understands (the {@code simulate} default, where nobody
 *     reads the hashes)
 * @param hashSeed vLLM's {@code PYTHONHASHSEED}: the root of the hash chain; null for a random
 *     root, as an unseeded vLLM has
 * @param positionalOutput each output token's text is its position, so that a client can check
 *     the order of what it got (a test of migration); false: words
 */
public record CoreConfig(int maxNumBatchedTokens, int maxNumSeqs, int blockSize,
    int numGpuBlocks, int maxModelLen, boolean enablePrefixCaching, StepProfile profile,
    double jitter, long seed, @Nullable BlockHashAlgo prefixHashAlgo,
    @Nullable String hashSeed, boolean positionalOutput) {

  /** {@value} */
  public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 8192;
  /** {@value} */
  public static final int DEFAULT_MAX_NUM_SEQS = 1024;
  /** {@value} */
  public static final int DEFAULT_BLOCK_SIZE = 16;
  /** {@value}: Llama-3.1-8B's KV cache on one H100. */
  public static final int DEFAULT_NUM_GPU_BLOCKS = 29205;
  /** {@value} */
  public static final int DEFAULT_MAX_MODEL_LEN = 8192;
  /** {@value} */
  public static final String DEFAULT_PROFILE = "llama3-8b-h100";

  public CoreConfig {
    require(maxNumBatchedTokens > 0, "maxNumBatchedTokens", maxNumBatchedTokens, "> 0");
    require(maxNumSeqs > 0, "maxNumSeqs", maxNumSeqs, "> 0");
    require(blockSize > 0, "blockSize", blockSize, "> 0");
    require(numGpuBlocks >= 2, "numGpuBlocks", numGpuBlocks, ">= 2");
    require(maxModelLen > 1, "maxModelLen", maxModelLen, "> 1");
    require(jitter >= 0 && jitter < 1, "jitter", jitter, "in [0, 1)");
  }

  /** The same limits and model with jitter seeded by {@code seed} (one engine of many). */
  public CoreConfig withSeed(long seed) {
    return new CoreConfig(maxNumBatchedTokens, maxNumSeqs, blockSize, numGpuBlocks, maxModelLen,
        enablePrefixCaching, profile, jitter, seed, prefixHashAlgo, hashSeed, positionalOutput);
  }

  /**
   * The same engine hashing blocks with the fast chain instead of vLLM's hash: for simulations,
   * where nobody reads the hashes and SHA-256 per block would dominate the run time.
   */
  public CoreConfig withFastPrefixHash() {
    return new CoreConfig(maxNumBatchedTokens, maxNumSeqs, blockSize, numGpuBlocks, maxModelLen,
        enablePrefixCaching, profile, jitter, seed, null, null, positionalOutput);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults. */
  public static CoreConfig defaults() {
    return builder().build();
  }

  private static void require(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }

  /** Builds a {@link CoreConfig}; unset values are the defaults. */
  public static final class Builder {
    private int maxNumBatchedTokens = DEFAULT_MAX_NUM_BATCHED_TOKENS;
    private int maxNumSeqs = DEFAULT_MAX_NUM_SEQS;
    private int blockSize = DEFAULT_BLOCK_SIZE;
    private int numGpuBlocks = DEFAULT_NUM_GPU_BLOCKS;
    private int maxModelLen = DEFAULT_MAX_MODEL_LEN;
    private boolean enablePrefixCaching = true;
    private StepProfile profile = StepProfile.named(DEFAULT_PROFILE);
    private double jitter;
    private long seed;
    private @Nullable BlockHashAlgo prefixHashAlgo = BlockHashAlgo.SHA256;
    private @Nullable String hashSeed;
    private boolean positionalOutput;

    private Builder() {}

    /** Null for the fast chain of {@code simulate}; see {@link CoreConfig}. */
    public Builder prefixHashAlgo(@Nullable BlockHashAlgo algo) {
      this.prefixHashAlgo = algo;
      return this;
    }

    public Builder hashSeed(@Nullable String seed) {
      this.hashSeed = seed;
      return this;
    }

    public Builder maxNumBatchedTokens(int tokens) {
      this.maxNumBatchedTokens = tokens;
      return this;
    }

    public Builder maxNumSeqs(int seqs) {
      this.maxNumSeqs = seqs;
      return this;
    }

    public Builder blockSize(int tokens) {
      this.blockSize = tokens;
      return this;
    }

    public Builder numGpuBlocks(int blocks) {
      this.numGpuBlocks = blocks;
      return this;
    }

    public Builder maxModelLen(int tokens) {
      this.maxModelLen = tokens;
      return this;
    }

    public Builder enablePrefixCaching(boolean enabled) {
      this.enablePrefixCaching = enabled;
      return this;
    }

    public Builder profile(StepProfile profile) {
      this.profile = profile;
      return this;
    }

    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Each output token's text is its position (" 0", " 1", ...): order is checkable. */
    public Builder positionalOutput(boolean positional) {
      this.positionalOutput = positional;
      return this;
    }

    public CoreConfig build() {
      return new CoreConfig(maxNumBatchedTokens, maxNumSeqs, blockSize, numGpuBlocks,
          maxModelLen, enablePrefixCaching, profile, jitter, seed, prefixHashAlgo, hashSeed,
          positionalOutput);
    }
  }
}
