package io.llumnix.enginesim.migration;

import io.llumnix.enginesim.core.CoreConfig;
import io.llumnix.enginesim.core.EngineCore;
import io.llumnix.enginesim.core.SimRequest;
import io.llumnix.llumlet.api.MigrateRequest;
import io.llumnix.llumlet.api.MigrationOrder;
import io.llumnix.llumlet.api.MigrationRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which requests a {@code Migrate} call moves, as the reference's engine chooses them: the
 * candidates in the order's sequence, taken while the rule's budget allows. Never a request
 * already migrating, one waiting for remote KV, or a running one with no output yet (its
 * prefill is under way). Pure: over the engine's queues as they are (the engine simulator's
 * llumlet and the cluster simulation both choose with it).
 */
public final class MigrationSelector {

  private MigrationSelector() {}

  /**
   * @param waiting the waiting queue, first come first
   * @param running the running requests, in admission order
   * @param budget the rule's bound: requests (−1: every candidate, waiting and running, as an
   *     instance being stopped asks), or tokens (TOKEN, and RATIO already times the KV size)
   */
  public static List<SimRequest> select(Collection<SimRequest> waiting, List<SimRequest> running,
      MigrationRule rule, MigrationOrder order, long budget, Predicate<String> migrating) {
    List<SimRequest> waitingCandidates = new ArrayList<>();
    for (SimRequest r : waiting) {
      if (!migrating.test(r.id()) && r.status() != SimRequest.Status.WAITING_FOR_REMOTE_KVS) {
        waitingCandidates.add(r);
      }
    }
    List<SimRequest> runningCandidates = new ArrayList<>();
    for (SimRequest r : running) {
      if (!migrating.test(r.id()) && r.numOutputTokens() > 0 && r.finishReason() == null) {
        runningCandidates.add(r);
      }
    }
    if (rule == MigrationRule.NUM_REQ && budget < 0) {
      List<SimRequest> all = new ArrayList<>(waitingCandidates);
      all.addAll(runningCandidates);
      return all;
    }
    Comparator<SimRequest> shortest = Comparator.comparingInt(MigrationSelector::length);
    List<SimRequest> ordered = new ArrayList<>();
    switch (order) {
      case FCW -> ordered.addAll(waitingCandidates);
      case FCWSR -> {
        ordered.addAll(waitingCandidates);
        runningCandidates.sort(shortest);
        ordered.addAll(runningCandidates);
      }
      case FCR -> ordered.addAll(runningCandidates);
      case LCR -> ordered.addAll(runningCandidates.reversed());
      case SR -> {
        runningCandidates.sort(shortest);
        ordered.addAll(runningCandidates);
      }
      case LR -> {
        runningCandidates.sort(shortest.reversed());
        ordered.addAll(runningCandidates);
      }
    }
    List<SimRequest> chosen = new ArrayList<>();
    long spent = 0;
    for (SimRequest r : ordered) {
      long cost = rule == MigrationRule.NUM_REQ ? 1 : length(r);
      if (spent + cost > budget) {
        break;
      }
      spent += cost;
      chosen.add(r);
    }
    return chosen;
  }

  /**
   * The requests {@code request} asks {@code core} to move, as an engine's llumlet chooses
   * them (the engine simulator's and the cluster simulation's alike).
   *
   * @throws IllegalArgumentException for an unknown migration type or policy
   */
  public static List<SimRequest> choose(EngineCore core, MigrateRequest request,
      Predicate<String> migrating) {
    MigrationRule rule = MigrationRule.of(request.getMigrationType());
    return select(core.waitingRequests(), core.runningRequests(), rule,
        MigrationOrder.of(request.getMigrationReqPolicy()), budget(request, rule, core.config()),
        migrating);
  }

  /**
   * The bound {@code request} sets under {@code rule}: requests ({@code num_reqs}), or tokens
   * ({@code num_tokens}, or its {@code kv_cache_usage_ratio} of the engine's KV cache).
   */
  static long budget(MigrateRequest request, MigrationRule rule, CoreConfig core) {
    return switch (rule) {
      case NUM_REQ -> request.getNumReqs();
      case TOKEN -> request.getNumTokens();
      case RATIO -> (long) Math.floor(core.numGpuBlocks() * (double) core.blockSize()
          * request.getKvCacheUsageRatio());
    };
  }

  /** A request's tokens: its prompt and its output so far. */
  static int length(SimRequest r) {
    return r.numPromptTokens() + r.numOutputTokens();
  }
}
