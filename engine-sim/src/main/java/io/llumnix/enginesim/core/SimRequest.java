package io.llumnix.enginesim.core;

import io.llumnix.kvs.hash.TokenSource;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One request inside the simulated engine: its tokens (prompt, then sampled output), progress
 * ({@code numComputed} of {@code numTokens} have KV), blocks, and timestamps in simulated
 * nanoseconds. Mutated only on the engine's thread.
 */
public final class SimRequest implements TokenSource {

  /** Where the request is in the engine. */
  public enum Status { WAITING, RUNNING, PREEMPTED, WAITING_FOR_REMOTE_KVS, FINISHED }

  private static final int[] NO_TOKEN_IDS = {};
  private static final int[] NO_BLOCKS = {};
  private static final long[] NO_HASHES = {};

  private final String id;
  private final int numPromptTokens;
  private final int maxTokens;
  private final boolean maxTokensSet;
  private final int minTokens;
  private final int outputLength;
  private final List<String> stop;
  private final int[] stopTokenIds;
  private final long outputSeed;
  private final RequestListener listener;

  /** The prompt; output tokens follow from the seed ({@link #tokenAt}), so none is stored. */
  final int[] promptTokens;
  int numTokens;
  int numComputed;
  int numOutput;
  /** {@link StopRules}' count of output tokens below which nothing can end it (0: none). */
  int quietUntil;
  Status status = Status.WAITING;
  int[] blocks = NO_BLOCKS;
  int numBlocks;
  long[] blockHashes = NO_HASHES;
  int numHashedBlocks;
  /** vLLM hashing: the full digest of the last hashed block, the next block's parent. */
  byte @Nullable [] chainDigest;
  int numCachedBlocks;
  int numCachedTokens = -1;
  long arrivalNanos;
  long scheduledNanos = -1;
  long firstTokenNanos = -1;
  long lastTokenNanos = -1;
  long remoteKvReadyNanos = -1;
  boolean holdBlocksOnFinish;
  @Nullable StringBuilder outputText;
  @Nullable Object stopReason;
  @Nullable String errorMessage;
  @Nullable FinishReason finishReason;

  /**
   * Creates a request.
   *
   * @param promptTokens the prompt's token ids, kept as given (a simulation creates a million
   *     requests, and a copy each was a third of what it allocated): nobody may change them
   * @param outputLength the number of tokens after which the simulated model emits EOS, already
   *     drawn from the length distribution ({@code maxTokens} when EOS is ignored)
   * @param outputSeed seeds the deterministic output tokens and words
   */
  public SimRequest(String id, int[] promptTokens, int maxTokens, boolean maxTokensSet,
      int minTokens, int outputLength, List<String> stop, int[] stopTokenIds, long outputSeed,
      RequestListener listener) {
    this.id = id;
    this.numPromptTokens = promptTokens.length;
    this.maxTokens = maxTokens;
    this.maxTokensSet = maxTokensSet;
    this.minTokens = minTokens;
    this.outputLength = outputLength;
    this.stop = List.copyOf(stop);
    // Shared when empty (the common case): the engine reads it for every token it samples.
    this.stopTokenIds = stopTokenIds.length == 0 ? NO_TOKEN_IDS : stopTokenIds.clone();
    this.outputSeed = outputSeed;
    this.listener = listener;
    this.promptTokens = promptTokens;
    this.numTokens = promptTokens.length;
    if (!this.stop.isEmpty()) {
      outputText = new StringBuilder();
    }
  }

  /**
   * A request that ran elsewhere and continues here (a migration's destination): its
   * {@code numOutput} tokens so far and, with stop strings, their text; whether its KV comes
   * along is {@link EngineCore#attach}'s business.
   */
  public static SimRequest resumed(String id, int[] promptTokens, int maxTokens,
      boolean maxTokensSet, int minTokens, int outputLength, List<String> stop,
      int[] stopTokenIds, long outputSeed, int numOutput, String outputText,
      RequestListener listener) {
    SimRequest request = new SimRequest(id, promptTokens, maxTokens, maxTokensSet, minTokens,
        outputLength, stop, stopTokenIds, outputSeed, listener);
    request.numOutput = numOutput;
    request.numTokens = promptTokens.length + numOutput;
    if (request.outputText != null) {
      request.outputText.append(outputText);
    }
    return request;
  }

  /**
   * The request continued on another engine produced its next token ({@code reason}: its
   * finish, or null): what its listener here reads, such as the output count, follows.
   */
  public void continuedElsewhere(@Nullable FinishReason reason) {
    numOutput++;
    numTokens++;
    if (reason != null) {
      finishReason = reason;
      status = Status.FINISHED;
    }
  }

  /** The request continued on another engine ended there without a token (aborted, failed). */
  public void endedElsewhere(FinishReason reason, @Nullable String message) {
    finishReason = reason;
    status = Status.FINISHED;
    errorMessage = message;
  }

  /** The prompt's token ids (a copy). */
  public int[] promptTokenIds() {
    return promptTokens.clone();
  }

  /** The output's text so far when stop strings need it, else "". */
  public String outputTextSoFar() {
    return outputText == null ? "" : outputText.toString();
  }

  public List<String> stopStrings() {
    return stop;
  }

  public int[] stopTokenIdsCopy() {
    return stopTokenIds.clone();
  }

  public String id() {
    return id;
  }

  public int numPromptTokens() {
    return numPromptTokens;
  }

  public int numOutputTokens() {
    return numOutput;
  }

  /** Prompt tokens served from the prefix cache at first scheduling; 0 before. */
  public int numCachedTokens() {
    return Math.max(0, numCachedTokens);
  }

  public int numComputedTokens() {
    return numComputed;
  }

  public int maxTokens() {
    return maxTokens;
  }

  public boolean maxTokensSet() {
    return maxTokensSet;
  }

  public Status status() {
    return status;
  }

  public long arrivalNanos() {
    return arrivalNanos;
  }

  public long scheduledNanos() {
    return scheduledNanos;
  }

  public long firstTokenNanos() {
    return firstTokenNanos;
  }

  public long lastTokenNanos() {
    return lastTokenNanos;
  }

  /** The matched stop string or stop token id, else null. */
  public @Nullable Object stopReason() {
    return stopReason;
  }

  /** Why the request ended with {@link FinishReason#ERROR}, else null. */
  public @Nullable String errorMessage() {
    return errorMessage;
  }

  public @Nullable FinishReason finishReason() {
    return finishReason;
  }

  /** The KV blocks the request holds, in order. */
  public int[] blockIds() {
    return Arrays.copyOf(blocks, numBlocks);
  }

  /** Whether the blocks stay allocated after finishing, for a decode instance to fetch. */
  public boolean holdsBlocksOnFinish() {
    return holdBlocksOnFinish;
  }

  /** Marks this request as the prefill half of a disaggregated request. */
  public void holdBlocksOnFinish(boolean hold) {
    this.holdBlocksOnFinish = hold;
  }

  /**
   * Marks this request as the decode half of a disaggregated request: its prompt's KV arrives
   * from the prefill instance at simulated time {@code readyNanos} ({@code Long.MAX_VALUE}
   * while unknown); it waits until then.
   */
  public void remoteKvReadyAt(long readyNanos) {
    this.remoteKvReadyNanos = readyNanos;
    this.status = Status.WAITING_FOR_REMOTE_KVS;
  }

  public RequestListener listener() {
    return listener;
  }

  public int minTokens() {
    return minTokens;
  }

  public int outputLength() {
    return outputLength;
  }

  List<String> stop() {
    return stop;
  }

  int[] stopTokenIds() {
    return stopTokenIds;
  }

  public long outputSeed() {
    return outputSeed;
  }

  boolean finished() {
    return status == Status.FINISHED;
  }

  /**
   * The output count at which the simulated model's answer ends unless a stop token or string
   * ends it first: its EOS (not before {@code minTokens}), {@code maxTokens}, or the model's
   * length {@code maxModelLen}.
   */
  int plannedOutputTokens(int maxModelLen) {
    return Math.min(Math.max(minTokens, outputLength),
        Math.min(maxTokens, maxModelLen - numPromptTokens));
  }

  /** Token {@code position} of the sequence: a prompt token, or an output token sampled. */
  @Override
  public int tokenAt(int position) {
    return position < numPromptTokens ? promptTokens[position]
        : OutputWords.tokenId(OutputWords.wordIndex(outputSeed, position - numPromptTokens));
  }

  /**
   * Makes room for {@code count} blocks and their hashes at once, where the request's whole
   * length is known, instead of doubling the arrays as it grows.
   */
  void reserveBlocks(int count) {
    if (blocks.length < count) {
      blocks = Arrays.copyOf(blocks, count);
    }
    if (blockHashes.length < count) {
      blockHashes = Arrays.copyOf(blockHashes, count);
    }
  }

  void addBlock(int block) {
    if (numBlocks == blocks.length) {
      blocks = Arrays.copyOf(blocks, Math.max(8, blocks.length * 2));
    }
    blocks[numBlocks++] = block;
  }

  void addBlockHash(long hash) {
    if (numHashedBlocks == blockHashes.length) {
      blockHashes = Arrays.copyOf(blockHashes, Math.max(8, blockHashes.length * 2));
    }
    blockHashes[numHashedBlocks++] = hash;
  }

  @Override
  public String toString() {
    return "SimRequest[" + id + ", " + status + ", computed " + numComputed + "/" + numTokens
        + ", output " + numOutput + "]";
  }
}
