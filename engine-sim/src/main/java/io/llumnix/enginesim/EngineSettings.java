package io.llumnix.enginesim;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.tokenizer.TokenizerSource;

/**
 * Everything one simulated engine instance needs besides its port.
 *
 * @param model the model path, also {@code root} in {@code /v1/models}
 * @param servedModelName the name clients use
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
 */
public record EngineSettings(String model, String servedModelName, CoreConfig core,
    double speedup, double outputLengthMean, String vllmVersion,
    String showHiddenMetricsForVersion, boolean countAbortedRequests, TokenizerSource tokenizer,
    int maxLogprobs, int maxLabelSets, KvTransferSettings kvTransfer) {

  public EngineSettings {
    if (!(speedup > 0)) {
      throw new IllegalArgumentException("speedup: " + speedup + " (expected: > 0)");
    }
    if (outputLengthMean < 0) {
      throw new IllegalArgumentException(
          "outputLengthMean: " + outputLengthMean + " (expected: >= 0)");
    }
  }

  /** The model name clients use. */
  public String modelName() {
    return servedModelName.isEmpty() ? model : servedModelName;
  }

  public int maxModelLen() {
    return core.maxModelLen();
  }
}
