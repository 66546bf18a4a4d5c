package io.llumnix.cli;

import io.llumnix.enginesim.EngineSettings;
import io.llumnix.enginesim.EngineSimulator;
import io.llumnix.enginesim.KvTransferSettings;
import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.StepProfile;
import io.llumnix.enginesim.llumlet.CmsTarget;
import io.llumnix.kvs.hash.BlockHashAlgo;
import io.llumnix.metrics.ComponentMetrics;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix engine-sim}: vLLM-compatible engines without a GPU. */
@Command(name = "engine-sim", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES, Main.DURATIONS},
    sortOptions = false,
    description = {"Run simulated vLLM engines: vLLM's OpenAI API and metrics, with vLLM v1's "
        + "scheduling (token budget, chunked prefill, paged KV cache with prefix caching, "
        + "preemption) and a step-time model instead of a GPU."})
final class EngineSimCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on.")
  String host;

  @Option(names = "--port", defaultValue = "8000",
      description = "Port of the first instance; instance i listens on port + i.")
  int port;

  @Option(names = "--instances", defaultValue = "1",
      description = "Independent engines served by this process.")
  int instances;

  @Option(names = "--model", defaultValue = EngineSettings.DEFAULT_MODEL,
      description = "Model name (also /v1/models root).")
  String model;

  @Option(names = "--served-model-name", defaultValue = "",
      description = "Name clients use; the model name when empty.")
  String servedModelName;

  @Option(names = "--api-key", defaultValue = "",
      description = "As vLLM's: /v1 routes then need 'Authorization: Bearer <key>' (401 "
          + "otherwise); empty for none.")
  String apiKey;

  @CommandLine.Mixin CoreOptions core;

  @Option(names = "--speedup", defaultValue = "1",
      description = "Simulated time runs this many times faster than the wall clock.")
  double speedup;

  @Option(names = "--output-length-mean", defaultValue = "128",
      description = "Mean output length (exponential) before EOS; 0 = always max_tokens. "
          + "ignore_eos requests always run to max_tokens.")
  double outputLengthMean;

  @CommandLine.Mixin TokenizerOptions tokenizer;

  @Option(names = "--vllm-version", defaultValue = EngineSettings.DEFAULT_VLLM_VERSION,
      description = "vLLM version to imitate (/version, deprecated metrics).")
  String vllmVersion;

  @Option(names = "--show-hidden-metrics-for-version", defaultValue = "",
      description = "Also export metrics hidden since this vLLM version, as vLLM's flag does.")
  String showHiddenMetricsForVersion;

  @Option(names = "--count-aborted-requests", defaultValue = "true", negatable = true,
      fallbackValue = "true",
      description = "Count aborted requests in request_success_total{finished_reason=\"abort\"} "
          + "and the latency histograms.")
  boolean countAbortedRequests;

  @Option(names = "--max-logprobs", defaultValue = "" + EngineSettings.DEFAULT_MAX_LOGPROBS,
      description = "Largest logprobs accepted.")
  int maxLogprobs;

  @Option(names = "--kv-role", defaultValue = "neutral",
      description = "Role in disaggregated prefill: neutral (both), prefill, decode.")
  String kvRole;

  @Option(names = "--kv-transfer-port-offset", defaultValue = "20000",
      description = "Each instance's KV-transfer port (its aux_port) is its port plus this.")
  int kvTransferPortOffset;

  @Option(names = "--kv-bytes-per-token", defaultValue = "131072",
      description = "KV bytes per token (131072 = Llama-3.1-8B).")
  long kvBytesPerToken;

  @Option(names = "--kv-transfer-bandwidth", defaultValue = "25",
      description = "KV-transfer bandwidth between instances, GB/s.")
  double kvTransferBandwidth;

  @Option(names = "--kv-transfer-latency-ms", defaultValue = "1",
      description = "Fixed latency of one KV transfer, ms.")
  double kvTransferLatencyMillis;

  @Option(names = "--kv-hold-timeout", defaultValue = "120s",
      description = "How long a prefill instance keeps a finished request's blocks for a "
          + "decode instance to fetch.")
  Duration kvHoldTimeout;

  @Option(names = "--kv-transfer-timeout", defaultValue = "120s",
      description = "How long a decode instance waits for the prefill instance.")
  Duration kvTransferTimeout;

  @Option(names = "--metrics-max-label-sets",
      defaultValue = "" + ComponentMetrics.DEFAULT_MAX_LABEL_SETS,
      description = "Distinct label sets per metric before further ones fold into _overflow.")
  int maxLabelSets;

  @CommandLine.Mixin LlumletOptions llumlet;

  @CommandLine.Mixin CachePublishingOptions publishing;

  @Option(names = "--prefix-caching-hash-algo", defaultValue = "sha256",
      description = "Block hash, as vLLM computes it: sha256 (of the pickled block) or "
          + "sha256_cbor. The chain's root is the hash of the environment's PYTHONHASHSEED, "
          + "or random when it is unset (as in vLLM).")
  String prefixHashAlgo;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    EngineSettings settings = settings();
    CmsTarget cms = llumlet.target(host, System.getenv());
    long drainMillis = cms == null ? 0 : llumlet.drainTimeout.toMillis();
    try (ShutdownSignal signal = new ShutdownSignal(drainMillis);
        EngineSimulator simulator = EngineSimulator.start(settings, host, port, instances,
            kvTransferPortOffset, cms)) {
      spec.commandLine().getOut().println("engine-sim: " + instances + " engine(s) of "
          + settings.modelName() + " (" + core.profile + ", speedup " + speedup + ", kv role "
          + kvRole + ") on " + host + " ports " + simulator.ports()
          + (cms == null ? "" : ", llumlet publishing to the CMS"));
      spec.commandLine().getOut().flush();
      signal.await();
      if (drainMillis > 0) {
        simulator.drain(drainMillis); // before the engines close: their requests move out
      }
    }
    return 0;
  }

  EngineSettings settings() {
    return EngineSettings.builder().model(model).servedModelName(servedModelName)
        .core(withVllmHashing(core.config())).speedup(speedup).outputLengthMean(outputLengthMean)
        .vllmVersion(vllmVersion).showHiddenMetricsForVersion(showHiddenMetricsForVersion)
        .countAbortedRequests(countAbortedRequests).tokenizer(tokenizer.source())
        .maxLogprobs(maxLogprobs).maxLabelSets(maxLabelSets).apiKey(apiKey)
        .kvTransfer(new KvTransferSettings(KvTransferSettings.Role.of(kvRole), kvBytesPerToken,
            kvTransferBandwidth, kvTransferLatencyMillis, kvHoldTimeout.toMillis(),
            kvTransferTimeout.toMillis()))
        .publishing(publishing.settings())
        .build();
  }

  /** The core hashing blocks as vLLM does, rooted in the environment's PYTHONHASHSEED. */
  private CoreConfig withVllmHashing(CoreConfig core) {
    String seed = System.getenv("PYTHONHASHSEED");
    return new CoreConfig(core.maxNumBatchedTokens(), core.maxNumSeqs(), core.blockSize(),
        core.numGpuBlocks(), core.maxModelLen(), core.enablePrefixCaching(), core.profile(),
        core.jitter(), core.seed(), BlockHashAlgo.of(prefixHashAlgo),
        seed == null || seed.isEmpty() ? null : seed, core.positionalOutput());
  }

  /** The engine core's flags (vLLM's names). */
  static final class CoreOptions {

    @Option(names = "--max-model-len", defaultValue = "" + CoreConfig.DEFAULT_MAX_MODEL_LEN,
        description = "Longest prompt plus output, in tokens.")
    int maxModelLen;

    @Option(names = "--max-num-batched-tokens",
        defaultValue = "" + CoreConfig.DEFAULT_MAX_NUM_BATCHED_TOKENS,
        description = "Token budget of one engine step.")
    int maxNumBatchedTokens;

    @Option(names = "--max-num-seqs", defaultValue = "" + CoreConfig.DEFAULT_MAX_NUM_SEQS,
        description = "Most requests running at once.")
    int maxNumSeqs;

    @Option(names = "--block-size", defaultValue = "" + CoreConfig.DEFAULT_BLOCK_SIZE,
        description = "Tokens per KV block.")
    int blockSize;

    @Option(names = "--num-gpu-blocks", defaultValue = "" + CoreConfig.DEFAULT_NUM_GPU_BLOCKS,
        description = "KV blocks per engine (29205 = Llama-3.1-8B on one H100).")
    int numGpuBlocks;

    @Option(names = "--enable-prefix-caching", defaultValue = "true", negatable = true,
        fallbackValue = "true", description = "Reuse cached KV blocks of shared prompt "
            + "prefixes.")
    boolean enablePrefixCaching;

    @Option(names = "--profile", defaultValue = CoreConfig.DEFAULT_PROFILE,
        description = "Step-time profile: llama3-8b-h100, llama3-8b-a100, qwen2.5-7b-h100, "
            + "instant.")
    String profile;

    @Option(names = "--jitter", defaultValue = "0",
        description = "Relative step-time jitter, e.g. 0.05 for +-5%%.")
    double jitter;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice.")
    long seed;

    @Option(names = "--positional-output", defaultValue = "false", arity = "0..1",
        fallbackValue = "true", description = "Each output token's text is its position "
            + "(\" 0\", \" 1\", ...), so a client can check order and gaps (tests of migration).")
    boolean positionalOutput;

    CoreConfig config() {
      return CoreConfig.builder().maxNumBatchedTokens(maxNumBatchedTokens).maxNumSeqs(maxNumSeqs)
          .blockSize(blockSize).numGpuBlocks(numGpuBlocks).maxModelLen(maxModelLen)
          .enablePrefixCaching(enablePrefixCaching).profile(StepProfile.named(profile))
          .jitter(jitter).seed(seed).positionalOutput(positionalOutput).build();
    }
  }
}
