package io.llumnix.enginesim.llumlet;

import java.util.Arrays;
import java.util.List;
import org.agrona.collections.Object2IntHashMap;

/**
 * The ids a status lists as {@code recent_waiting_requests}: requests seen waiting, oldest
 * first, each with when it was first seen. Every status write hands the whole list over (a
 * busy instance holds hundreds of ids), so the ids are kept side by side in one array rather
 * than as the nodes of a linked map, whose walk, a cache miss per id, made that copy 1.6 times
 * as long (in a 256-instance full-mode simulation, a sixth of the time against a tenth). Not
 * thread-safe.
 */
final class RecentArrivals {

  private static final int MISSING = -1;

  /** Each listed id's place in {@link #ids}. */
  private final Object2IntHashMap<String> places = new Object2IntHashMap<>(64, 0.65f, MISSING);
  private String[] ids = new String[64];
  private long[] seenMillis = new long[64];
  /** The listed ids are {@code ids[start, end)}. */
  private int start;
  private int end;

  /** Records {@code id} as seen at {@code nowMillis}, keeping its place if it is listed. */
  void seen(String id, long nowMillis) {
    int place = places.getValue(id);
    if (place != MISSING) {
      seenMillis[place] = nowMillis;
    } else {
      append(id, nowMillis);
    }
  }

  /** Lists {@code id} as seen at {@code nowMillis} unless it is listed already. */
  void seenIfAbsent(String id, long nowMillis) {
    if (places.getValue(id) == MISSING) {
      append(id, nowMillis);
    }
  }

  /**
   * Drops, oldest first, the ids seen more than {@code windowMillis} ago, up to the first that
   * was not (one seen again keeps its place, so an older one behind it stays until it goes).
   */
  void expire(long nowMillis, long windowMillis) {
    while (start < end && nowMillis - seenMillis[start] > windowMillis) {
      places.removeKey(ids[start]);
      ids[start++] = null;
    }
  }

  /** The ids, oldest first: a view, valid until the next change. */
  List<String> ids() {
    return Arrays.asList(ids).subList(start, end);
  }

  int size() {
    return end - start;
  }

  private void append(String id, long nowMillis) {
    if (end == ids.length) {
      if (start >= ids.length / 2) {
        // Half the array expired: slide the rest to the front. A slide moves at most half the
        // array, and half the array was appended since the last slide or growth.
        int size = end - start;
        System.arraycopy(ids, start, ids, 0, size);
        System.arraycopy(seenMillis, start, seenMillis, 0, size);
        Arrays.fill(ids, size, end, null);
        for (int i = 0; i < size; i++) {
          places.put(ids[i], i);
        }
        start = 0;
        end = size;
      } else {
        ids = Arrays.copyOf(ids, ids.length * 2);
        seenMillis = Arrays.copyOf(seenMillis, seenMillis.length * 2);
      }
    }
    places.put(id, end);
    ids[end] = id;
    seenMillis[end++] = nowMillis;
  }
}
