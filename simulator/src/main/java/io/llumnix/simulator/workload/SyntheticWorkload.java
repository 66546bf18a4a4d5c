package io.llumnix.simulator.workload;

import java.util.Arrays;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.jspecify.annotations.Nullable;

/**
 * Requests drawn from a {@link WorkloadSpec} at a mean rate for a span of virtual time, from a
 * seed: one seed, one workload, whatever policy serves it. Arrivals, lengths, tenants and token
 * ids each draw from their own stream, so changing one flag does not reshuffle the others.
 */
public final class SyntheticWorkload implements Workload {

  private final WorkloadSpec spec;
  private final double rate;
  private final long endNanos;
  private final long maxRequests;
  private final int maxModelLen;
  private final long seed;
  private final RandomGenerator arrivalRandom;
  private final RandomGenerator lengthRandom;
  private final RandomGenerator tenantRandom;
  private final int[][] prefixes;
  private long nextArrivalNanos;
  private long count;

  /**
   * @param rate mean arrivals per second (of sessions, with sessions)
   * @param durationSeconds arrivals stop after this much virtual time
   * @param maxRequests arrivals stop after this many first turns (0: no limit)
   * @param maxModelLen no prompt plus answer is longer
   */
  public SyntheticWorkload(WorkloadSpec spec, double rate, double durationSeconds,
      long maxRequests, int maxModelLen, long seed) {
    if (!(rate > 0) || !(durationSeconds > 0) || maxRequests < 0) {
      throw new IllegalArgumentException("rate " + rate + ", duration " + durationSeconds
          + " s, max requests " + maxRequests + " (expected: > 0, > 0, >= 0)");
    }
    if (spec.prefixTokens() >= maxModelLen - 2) {
      throw new IllegalArgumentException("--prefix-tokens " + spec.prefixTokens()
          + " (expected: < max model len " + maxModelLen + " - 2)");
    }
    this.spec = spec;
    this.rate = rate;
    this.endNanos = Math.round(durationSeconds * 1e9);
    this.maxRequests = maxRequests;
    this.maxModelLen = maxModelLen;
    this.seed = seed;
    this.arrivalRandom = new Well19937c(TokenIds.seed(seed, -1));
    this.lengthRandom = new Well19937c(TokenIds.seed(seed, -2));
    this.tenantRandom = new Well19937c(TokenIds.seed(seed, -3));
    this.prefixes = new int[spec.tenants()][];
  }

  @Override
  public @Nullable WorkloadRequest next() {
    if (count > 0) {
      nextArrivalNanos += spec.arrivals().gapNanos(rate, nextArrivalNanos, arrivalRandom);
    }
    if (nextArrivalNanos >= endNanos || (maxRequests > 0 && count >= maxRequests)) {
      return null;
    }
    long index = count++;
    int output = Math.min(spec.output().sample(lengthRandom), maxModelLen / 2);
    int prefix = 0;
    int[] prefixIds = null;
    if (spec.tenants() > 0) {
      int tenant = tenantRandom.nextInt(spec.tenants());
      prefixIds = prefix(tenant);
      prefix = prefixIds.length;
    }
    int own = Math.min(spec.prompt().sample(lengthRandom), maxModelLen - output - 1 - prefix);
    int[] ids = new int[prefix + Math.max(1, own)];
    if (prefixIds != null) {
      System.arraycopy(prefixIds, 0, ids, 0, prefix);
    }
    TokenIds.fill(ids, prefix, ids.length, TokenIds.seed(seed, index));
    String sessionId = spec.sessionTurns() > 1 ? "s" + index : null;
    return new WorkloadRequest("r" + index, nextArrivalNanos, ids, output,
        TokenIds.seed(seed, ~index), sessionId, 0);
  }

  private int[] prefix(int tenant) {
    if (prefixes[tenant] == null) {
      prefixes[tenant] = new int[spec.prefixTokens()];
      TokenIds.fill(prefixes[tenant], 0, spec.prefixTokens(), TokenIds.seed(seed, -100 - tenant));
    }
    return prefixes[tenant];
  }

  /**
   * The session's next turn: its history (prompt and answer) plus new text, or null. Drawn from
   * the session's and turn's own seed, not from a shared stream: turns end in a different order
   * under different policies, and each policy must still see the same workload.
   */
  @Override
  public @Nullable WorkloadRequest followUp(WorkloadRequest done, long finishNanos) {
    String session = done.sessionId();
    if (session == null || done.turn() + 1 >= spec.sessionTurns()) {
      return null;
    }
    int turn = done.turn() + 1;
    long turnSeed = TokenIds.seed(seed, session.hashCode() * 1_000_003L + turn);
    RandomGenerator random = new Well19937c(turnSeed);
    int output = Math.min(spec.output().sample(random), maxModelLen / 2);
    int added = spec.prompt().sample(random);
    int history = done.promptTokenIds().length + done.outputTokens();
    if (history + added + output >= maxModelLen) {
      return null; // the conversation would outgrow the model
    }
    int[] ids = Arrays.copyOf(done.promptTokenIds(), history + added);
    TokenIds.output(ids, done.promptTokenIds().length, done.outputTokens(), done.outputSeed());
    TokenIds.fill(ids, history, ids.length, turnSeed);
    long think = Math.round(-spec.thinkTimeSeconds() * 1e9 * Math.log(1 - random.nextDouble()));
    return new WorkloadRequest(session + "t" + turn, finishNanos + think, ids, output,
        ~turnSeed, session, turn);
  }
}
