package io.llumnix.enginesim;

import io.llumnix.enginesim.cache.PublishingSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.metrics.ComponentMetrics;
import io.llumnix.tokenizer.TokenizerSource;

/**
 * Everything one simulated engine instance needs besides its port. Built with
 * {@link #builder()}; the defaults are those of {@code llumnix engine-sim}.
 *
 * @param model the model path, also {@code root} in {@code /v1/models}
 * @param servedModelName the name clients use; the model when empty
 * @param core the engine core's limits and step model
 * @param speedup simulated time runs this many times faster than the wall clock
 * @param outputLengthMean mean of the exponential output length (tokens) after which the model
 *     emits EOS; 0 makes every request run to {@code max_tokens}
 * @param vllmVersion the vLLM version to imitate in {@code /version} and deprecated metrics
 * @param showHiddenMetricsForVersion vLLM's flag of that name, "" when not set
 * @param countAbortedRequests whether aborted requests count in the finish metrics
 * @param tokenizer the tokenizer that counts text prompts and renders chats
 * @param maxLogprobs the largest {@code logprobs} accepted
 * @param maxLabelSets the per-metric cap on label sets
 * @param kvTransfer the role in disaggregated prefill and the simulated KV transfer
 * @param apiKey vLLM's {@code --api-key}: when set, {@code /v1} routes need
 *     {@code Authorization: Bearer <key>}; "" for none
 * @param publishing what the engine tells the outside about its prefix cache (KV-cache
 *     events, KV-store chunk keys)
 */
public record EngineSettings(String model, String servedModelName, CoreConfig core,
    double speedup, double outputLengthMean, String vllmVersion,
    String showHiddenMetricsForVersion, boolean countAbortedRequests, TokenizerSource tokenizer,
    int maxLogprobs, int maxLabelSets, KvTransferSettings kvTransfer, String apiKey,
    PublishingSettings publishing) {

  /** {@value} */
  public static final String DEFAULT_MODEL = "llumnix/sim-llama3-8b";
  /** {@value} */
  public static final double DEFAULT_OUTPUT_LENGTH_MEAN = 128;
  /** {@value} */
  public static final String DEFAULT_VLLM_VERSION = "0.11.0";
  /** {@value}: vLLM's default. */
  public static final int DEFAULT_MAX_LOGPROBS = 20;
  /** {@value} */
  public static final int DEFAULT_MAX_LABEL_SETS = ComponentMetrics.DEFAULT_MAX_LABEL_SETS;

  public EngineSettings {
    if (!(speedup > 0)) {
      throw new IllegalArgumentException("--speedup: " + speedup + " (expected: > 0)");
    }
    if (outputLengthMean < 0) {
      throw new IllegalArgumentException(
          "--output-length-mean: " + outputLengthMean + " (expected: >= 0)");
    }
    if (maxLabelSets < 1) {
      throw new IllegalArgumentException(
          "--metrics-max-label-sets: " + maxLabelSets + " (expected: >= 1)");
    }
    if (publishing.kvs() != null
        && publishing.kvs().format().chunkSize() % core.blockSize() != 0) {
      throw new IllegalArgumentException("--kvs-chunk-size "
          + publishing.kvs().format().chunkSize() + " must be a multiple of --block-size "
          + core.blockSize() + " (a chunk is published once all its blocks are cached)");
    }
  }

  /** The same engines, publishing their prefix cache as {@code publishing} says. */
  public EngineSettings withPublishing(PublishingSettings publishing) {
    return new EngineSettings(model, servedModelName, core, speedup, outputLengthMean,
        vllmVersion, showHiddenMetricsForVersion, countAbortedRequests, tokenizer, maxLogprobs,
        maxLabelSets, kvTransfer, apiKey, publishing);
  }

  /** The same engines in the kv role {@code role}. */
  public EngineSettings withRole(KvTransferSettings.Role role) {
    return new EngineSettings(model, servedModelName, core, speedup, outputLengthMean,
        vllmVersion, showHiddenMetricsForVersion, countAbortedRequests, tokenizer, maxLogprobs,
        maxLabelSets, kvTransfer.withRole(role), apiKey, publishing);
  }

  /** The model name clients use. */
  public String modelName() {
    return servedModelName.isEmpty() ? model : servedModelName;
  }

  public int maxModelLen() {
    return core.maxModelLen();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link EngineSettings}; unset values are the defaults. */
  public static final class Builder {
    private String model = DEFAULT_MODEL;
    private String servedModelName = "";
    private CoreConfig core = CoreConfig.defaults();
    private double speedup = 1;
    private double outputLengthMean = DEFAULT_OUTPUT_LENGTH_MEAN;
    private String vllmVersion = DEFAULT_VLLM_VERSION;
    private String showHiddenMetricsForVersion = "";
    private boolean countAbortedRequests = true;
    private TokenizerSource tokenizer = TokenizerSource.DEFAULT;
    private int maxLogprobs = DEFAULT_MAX_LOGPROBS;
    private int maxLabelSets = DEFAULT_MAX_LABEL_SETS;
    private KvTransferSettings kvTransfer = KvTransferSettings.DEFAULT;
    private String apiKey = "";
    private PublishingSettings publishing = PublishingSettings.NONE;

    private Builder() {}

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder servedModelName(String name) {
      this.servedModelName = name;
      return this;
    }

    public Builder core(CoreConfig core) {
      this.core = core;
      return this;
    }

    public Builder speedup(double speedup) {
      this.speedup = speedup;
      return this;
    }

    public Builder outputLengthMean(double mean) {
      this.outputLengthMean = mean;
      return this;
    }

    public Builder vllmVersion(String version) {
      this.vllmVersion = version;
      return this;
    }

    public Builder showHiddenMetricsForVersion(String version) {
      this.showHiddenMetricsForVersion = version;
      return this;
    }

    public Builder countAbortedRequests(boolean count) {
      this.countAbortedRequests = count;
      return this;
    }

    public Builder tokenizer(TokenizerSource tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    public Builder maxLogprobs(int max) {
      this.maxLogprobs = max;
      return this;
    }

    public Builder maxLabelSets(int max) {
      this.maxLabelSets = max;
      return this;
    }

    public Builder kvTransfer(KvTransferSettings kvTransfer) {
      this.kvTransfer = kvTransfer;
      return this;
    }

    public Builder apiKey(String key) {
      this.apiKey = key;
      return this;
    }

    public Builder publishing(PublishingSettings publishing) {
      this.publishing = publishing;
      return this;
    }

    public EngineSettings build() {
      return new EngineSettings(model, servedModelName, core, speedup, outputLengthMean,
          vllmVersion, showHiddenMetricsForVersion, countAbortedRequests, tokenizer,
          maxLogprobs, maxLabelSets, kvTransfer, apiKey, publishing);
    }
  }
}
