package io.llumnix.scheduler.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of one prompt each holder already has in its KV cache, in tokens from the start.
 *
 * @param promptTokens the prompt's length
 * @param byHolder hit tokens per holder (only holders with a hit)
 * @param holdersAreEndpoints whether holders are KV transport endpoints ({@code ip:port}, as a
 *     KV store names them) rather than instance ids
 */
public record PrefixHits(int promptTokens, Map<String, Integer> byHolder,
    boolean holdersAreEndpoints) {

  /** No instance holds any of the prompt. */
  public static PrefixHits none(int promptTokens) {
    return new PrefixHits(promptTokens, Map.of(), false);
  }

  /**
   * Hit lengths from a lookup answer, the reference's way: walking the keys in order, a holder
   * adds the tokens of each key it holds while its hits stay contiguous from its first one; a
   * gap ends its run. Each key covers {@code tokensPerKey} tokens, the last one possibly fewer.
   *
   * @param holders for each key (in order), who holds it; null or empty for none
   */
  public static PrefixHits walk(int promptTokens, int tokensPerKey,
      List<? extends List<String>> holders, boolean holdersAreEndpoints) {
    Map<String, Integer> hits = new HashMap<>();
    Map<String, Integer> lastKey = new HashMap<>(); // a holder's last contiguous key, -1 = ended
    for (int k = 0; k < holders.size(); k++) {
      List<String> keyHolders = holders.get(k);
      if (keyHolders == null) {
        continue;
      }
      int tokens = Math.min(tokensPerKey, promptTokens - k * tokensPerKey);
      for (String holder : keyHolders) {
        Integer last = lastKey.get(holder);
        if (last != null && last == k) {
          continue; // listed twice for this key (two replicas on one endpoint)
        }
        if (last == null || last == k - 1) {
          hits.merge(holder, Math.max(tokens, 0), Integer::sum);
          lastKey.put(holder, k);
        } else {
          lastKey.put(holder, -2); // a gap: its run is over
        }
      }
    }
    return new PrefixHits(promptTokens, Map.copyOf(hits), holdersAreEndpoints);
  }

  /** The longest hit of any holder, in tokens. */
  public int maxHit() {
    int max = 0;
    for (int hit : byHolder.values()) {
      max = Math.max(max, hit);
    }
    return max;
  }
}
