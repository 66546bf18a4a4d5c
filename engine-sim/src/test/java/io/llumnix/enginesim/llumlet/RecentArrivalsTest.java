package io.llumnix.enginesim.llumlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The recent-waiting list a status carries: order, expiry, and its array sliding and growing. */
class RecentArrivalsTest {

  @Test
  void listsIdsOldestFirstAndKeepsThePlaceOfOneSeenAgain() {
    RecentArrivals recent = new RecentArrivals();
    recent.seen("a", 0);
    recent.seen("b", 10);
    recent.seenIfAbsent("a", 20); // listed: neither moved nor re-timed
    recent.seenIfAbsent("c", 60);
    assertThat(recent.ids()).containsExactly("a", "b", "c");
    recent.seen("a", 40); // re-timed in place, still first
    recent.expire(100, 75); // "b" is 90 ms old, but "a" (60 ms) is ahead of it
    assertThat(recent.ids()).containsExactly("a", "b", "c");
    recent.expire(116, 75); // "a" is 76 ms old: it goes, and "b" behind it; "c" (56 ms) stays
    assertThat(recent.ids()).containsExactly("c");
    recent.seenIfAbsent("a", 120); // expired, so listed again, last
    assertThat(recent.ids()).containsExactly("c", "a");
  }

  /**
   * Random arrivals, re-sightings and expiries over long enough for the array to grow and
   * slide many times, against a linked map doing the same (the list's earlier form).
   */
  @Test
  void aLongRunMatchesALinkedMap() {
    RecentArrivals recent = new RecentArrivals();
    LinkedHashMap<String, Long> model = new LinkedHashMap<>();
    SplittableRandom random = new SplittableRandom(3);
    int next = 0;
    for (long now = 0; now < 20_000; now++) {
      int arrivals = now < 2_000 ? 1 + random.nextInt(3) : random.nextInt(2); // burst, then steady
      for (int a = 0; a < arrivals; a++) {
        String id = "r" + next++;
        recent.seen(id, now);
        model.put(id, now);
      }
      String old = "r" + Math.max(0, next - 1 - random.nextInt(400));
      if (random.nextInt(5) == 0) {
        recent.seen(old, now);
        model.put(old, now);
      } else {
        recent.seenIfAbsent(old, now);
        model.putIfAbsent(old, now);
      }
      recent.expire(now, 300);
      for (Iterator<Map.Entry<String, Long>> it = model.entrySet().iterator(); it.hasNext(); ) {
        if (now - it.next().getValue() <= 300) {
          break;
        }
        it.remove();
      }
      assertThat(recent.size()).isEqualTo(model.size());
    }
    assertThat(recent.ids()).containsExactlyElementsOf(model.keySet());
  }
}
