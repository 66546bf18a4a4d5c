package io.llumnix.scheduler.cms;

import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The requests full mode dispatched that an instance's status does not show yet
 * ({@code --enable-instance-status-local-account}): without it, a burst would herd onto the
 * instance that looked idle in its last status.
 *
 * <p>Design notes. Each instance keeps entries (request id, when, as which role, prompt and
 * uncomputed tokens, whether a status showed it) and five counters: requests, prefill requests
 * and their uncomputed tokens, decode requests and their tokens. A dispatch adds an entry and
 * counts it by role; a status that shows the request recently waiting marks it found and stops
 * counting it; once found and no longer waiting it is dropped; one never shown is dropped when
 * stale; {@code /release} drops it everywhere. An index from request id to instances finds them.
 * Owned by the scheduler's event loop; not thread-safe.
 */
public final class LocalAccount {

  private final boolean enabled;
  private final long stalenessSeconds;
  private final boolean cacheAware;
  private final Clock clock;
  private final CmsGauges gauges;
  /** Request id to the instances whose account holds it. */
  private final Map<String, List<CmsInstance>> index = new HashMap<>();

  LocalAccount(boolean enabled, long stalenessSeconds, boolean cacheAware, Clock clock,
      CmsGauges gauges) {
    this.enabled = enabled;
    this.stalenessSeconds = stalenessSeconds;
    this.cacheAware = cacheAware;
    this.clock = clock;
    this.gauges = gauges;
  }

  /**
   * Records a dispatch of {@code requestId} to {@code instance} as {@code role}:
   * {@code numTokens} prompt tokens, {@code uncomputed} of them not cached. A second role of a
   * request already counted there is counted too, and the entry becomes neutral.
   */
  public void add(CmsInstance instance, String requestId, InferType role, int numTokens,
      int uncomputed) {
    if (!enabled) {
      return;
    }
    CmsInstance.Entry entry = instance.entries.get(requestId);
    if (entry == null) {
      entry = new CmsInstance.Entry(clock.epochMillis(), role, numTokens, uncomputed);
      instance.entries.put(requestId, entry);
      index.computeIfAbsent(requestId, k -> new ArrayList<>(2)).add(instance);
      instance.req++;
    } else if (entry.type == role || entry.type == InferType.NEUTRAL) {
      return;
    } else {
      entry.type = InferType.NEUTRAL;
    }
    if (role == InferType.PREFILL || role == InferType.NEUTRAL) {
      instance.prefillReq++;
      instance.prefillTok += uncomputed;
    }
    if (role == InferType.DECODE || role == InferType.NEUTRAL) {
      instance.decodeReq++;
      instance.decodeTok += numTokens;
    }
    gauges.publishAccount(instance);
  }

  /**
   * A pd_batch request found no decode instance: its prefill dispatch is taken back entirely.
   * (The reference leaves the request counted, so {@code inflight_dispatch_requests} and
   * {@code num_waiting_requests} stay high; we undo all of it.)
   */
  public void revertPrefill(CmsInstance instance, String requestId) {
    CmsInstance.Entry entry = instance.entries.remove(requestId);
    if (entry == null) {
      return;
    }
    deleteCounters(instance, entry);
    unindex(requestId, instance);
    gauges.publishAccount(instance);
  }

  /** {@code /release}: the request leaves every instance's account; returns how many held it. */
  public int release(String requestId) {
    List<CmsInstance> holders = index.remove(requestId);
    if (holders == null) {
      return 0;
    }
    for (CmsInstance instance : holders) {
      CmsInstance.Entry entry = instance.entries.remove(requestId);
      if (entry != null) {
        deleteCounters(instance, entry);
        gauges.publishAccount(instance);
      }
    }
    return holders.size();
  }

  /**
   * Settles the instance's account with its new status: an entry whose request the status
   * shows as recently waiting is found and stops counting; a found one that left the waiting
   * queue is dropped; one never found is dropped, counters and all, once it is stale.
   */
  void reconcile(CmsInstance instance, InstanceStatus status) {
    instance.waitingPrefillsOverride = -1;
    if (!enabled || instance.entries.isEmpty()) {
      return;
    }
    // The account holds a few requests, a status lists many: look for those few in its lists.
    Set<String> recent = found(status.getRecentWaitingRequestsList(), instance.entries.keySet());
    Set<String> waiting = found(status.getWaitingRequestsList(), instance.entries.keySet());
    long now = clock.epochMillis();
    for (Iterator<Map.Entry<String, CmsInstance.Entry>> it = instance.entries.entrySet()
        .iterator(); it.hasNext(); ) {
      Map.Entry<String, CmsInstance.Entry> e = it.next();
      String requestId = e.getKey();
      CmsInstance.Entry entry = e.getValue();
      if (!entry.found && recent.contains(requestId)) {
        deleteCounters(instance, entry);
        entry.found = true;
      } else if (entry.found && !waiting.contains(requestId)) {
        it.remove();
        unindex(requestId, instance);
      } else if (!entry.found && !waiting.contains(requestId)
          && (now - entry.scheduledMillis) / 1000 >= stalenessSeconds) {
        deleteCounters(instance, entry);
        it.remove();
        unindex(requestId, instance);
      }
    }
    if (cacheAware && !waiting.isEmpty()) {
      // The status counts each waiting prompt whole; for the requests it dispatched, the
      // account knows the part the prefix cache holds, and takes it off. (The reference
      // replaces the figure by the account's requests alone, so one dispatch made an instance
      // with other waiting requests look idle.)
      long cached = 0;
      for (String requestId : waiting) {
        CmsInstance.Entry entry = instance.entries.get(requestId);
        if (entry != null) {
          cached += entry.numTokens - entry.uncomputed;
        }
      }
      instance.waitingPrefillsOverride =
          Math.max(0, status.getNumUncomputedTokensAllWaitingPrefills() - cached);
    }
  }

  /** The instance left the view: its entries go, counters with them. */
  void forget(CmsInstance instance) {
    for (String requestId : List.copyOf(instance.entries.keySet())) {
      deleteCounters(instance, instance.entries.get(requestId));
      unindex(requestId, instance);
    }
    instance.entries.clear();
  }

  /** Requests in the account, on all instances (for tests and diagnostics). */
  public int size() {
    return index.size();
  }

  /**
   * The ids of {@code wanted} that {@code engineIds} names (as engine request ids, trimmed),
   * without building a trimmed copy of every engine id.
   */
  private static Set<String> found(List<String> engineIds, Set<String> wanted) {
    if (wanted.size() > 8) { // a burst: comparing each id with each entry would cost more
      return foundAmongMany(engineIds, wanted);
    }
    Set<String> found = new HashSet<>();
    // Newest first: the requests of an account are the instance's latest arrivals.
    for (int i = engineIds.size() - 1; i >= 0 && found.size() < wanted.size(); i--) {
      String engineId = engineIds.get(i);
      int start = trimStart(engineId);
      int end = trimEnd(engineId, start);
      for (String id : wanted) {
        if (id.length() == end - start && engineId.regionMatches(start, id, 0, id.length())) {
          found.add(id);
          break;
        }
      }
    }
    return found;
  }

  /**
   * {@link #found} for many wanted ids: each engine id's trimmed part is hashed in place, as
   * {@link String#hashCode} hashes a string, and looked up among the wanted ids' hashes,
   * sorted. Trimming a copy of every engine id of every status was a fifth of what a
   * 256-instance full-mode simulation allocated.
   */
  private static Set<String> foundAmongMany(List<String> engineIds, Set<String> wanted) {
    int n = wanted.size();
    String[] unsorted = wanted.toArray(new String[0]);
    long[] keys = new long[n]; // hash in the high half, place in unsorted in the low half
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) unsorted[i].hashCode() << 32) | i;
    }
    Arrays.sort(keys);
    int[] hashes = new int[n];
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = (int) (keys[i] >> 32);
      ids[i] = unsorted[(int) keys[i]];
    }
    Set<String> found = new HashSet<>();
    for (String engineId : engineIds) {
      int start = trimStart(engineId);
      int end = trimEnd(engineId, start);
      int hash = 0;
      for (int c = start; c < end; c++) {
        hash = 31 * hash + engineId.charAt(c);
      }
      int at = Arrays.binarySearch(hashes, hash);
      if (at < 0) {
        continue;
      }
      while (at > 0 && hashes[at - 1] == hash) {
        at--;
      }
      for (; at < n && hashes[at] == hash; at++) {
        String id = ids[at];
        if (id.length() == end - start && engineId.regionMatches(start, id, 0, id.length())) {
          found.add(id);
          break;
        }
      }
    }
    return found;
  }

  /**
   * The gateway's request id in an engine's request id: without {@code cmpl-} or
   * {@code chatcmpl-}; before the first {@code +} if there is one, else before the last
   * {@code -} (vLLM's {@code cmpl-<id>-<index>}). The lookups compare the trimmed part in place
   * ({@link #trimStart}, {@link #trimEnd}); this is the rule as one call, for its test.
   */
  static String trimRequestId(String engineId) {
    int start = trimStart(engineId);
    return engineId.substring(start, trimEnd(engineId, start));
  }

  private static int trimStart(String engineId) {
    if (engineId.startsWith("chatcmpl-")) {
      return "chatcmpl-".length();
    }
    return engineId.startsWith("cmpl-") ? "cmpl-".length() : 0;
  }

  private static int trimEnd(String engineId, int start) {
    int plus = engineId.indexOf('+', start);
    if (plus >= 0) {
      return plus;
    }
    int dash = engineId.lastIndexOf('-');
    return dash >= start ? dash : engineId.length();
  }

  private static void deleteCounters(CmsInstance instance, CmsInstance.Entry entry) {
    if (entry.found) {
      return; // a found entry stopped counting when its status showed it
    }
    instance.req--;
    if (entry.type == InferType.PREFILL || entry.type == InferType.NEUTRAL) {
      instance.prefillReq--;
      instance.prefillTok -= entry.uncomputed;
    }
    if (entry.type == InferType.DECODE || entry.type == InferType.NEUTRAL) {
      instance.decodeReq--;
      instance.decodeTok -= entry.numTokens;
    }
  }

  private void unindex(String requestId, CmsInstance instance) {
    List<CmsInstance> holders = index.get(requestId);
    if (holders != null) {
      holders.remove(instance);
      if (holders.isEmpty()) {
        index.remove(requestId);
      }
    }
  }
}
