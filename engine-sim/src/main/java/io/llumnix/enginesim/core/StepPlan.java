package io.llumnix.enginesim.core;

import java.util.Arrays;

/**
 * One engine step: the requests scheduled and how many tokens each computes, with the step's
 * start and simulated duration. Reused from step to step, so that scheduling allocates nothing.
 */
public final class StepPlan {

  private SimRequest[] requests = new SimRequest[64];
  private int[] tokens = new int[64];
  private int size;
  private long startNanos;
  private long durationNanos;

  void clear(long startNanos) {
    Arrays.fill(requests, 0, size, null);
    size = 0;
    this.startNanos = startNanos;
    this.durationNanos = 0;
  }

  void add(SimRequest request, int numTokens) {
    if (size == requests.length) {
      requests = Arrays.copyOf(requests, size * 2);
      tokens = Arrays.copyOf(tokens, size * 2);
    }
    requests[size] = request;
    tokens[size++] = numTokens;
  }

  void finish(long durationNanos) {
    this.durationNanos = durationNanos;
  }

  /** Requests in the step. */
  /**
   * Takes {@code request} out of the step under way (it left the engine mid-step): its entry
   * computes nothing when the step completes.
   */
  void drop(SimRequest request) {
    for (int i = 0; i < size; i++) {
      if (requests[i] == request) {
        tokens[i] = 0;
      }
    }
  }

  public int size() {
    return size;
  }

  public SimRequest request(int i) {
    return requests[i];
  }

  /** Tokens request {@code i} computes in this step. */
  public int tokens(int i) {
    return tokens[i];
  }

  /** All tokens of the step. */
  public int totalTokens() {
    int total = 0;
    for (int i = 0; i < size; i++) {
      total += tokens[i];
    }
    return total;
  }

  /**
   * The step's duration under {@code profile}: a request computing one token after it has output
   * is a decode sequence, anything else is prefill (chunks attend to what is already computed).
   */
  long modelNanos(StepProfile profile) {
    long prefillTokens = 0;
    long decodeSeqs = 0;
    long contextTokens = 0;
    double attentionPairs = 0;
    for (int i = 0; i < size; i++) {
      SimRequest request = requests[i];
      int n = tokens[i];
      if (n == 1 && request.numOutput > 0) {
        decodeSeqs++;
        contextTokens += request.numComputed + 1;
      } else {
        prefillTokens += n;
        attentionPairs += n * (request.numComputed + n / 2.0);
      }
    }
    return profile.stepNanos(prefillTokens, decodeSeqs, contextTokens, attentionPairs);
  }

  public long startNanos() {
    return startNanos;
  }

  public long durationNanos() {
    return durationNanos;
  }

  public long endNanos() {
    return startNanos + durationNanos;
  }
}
