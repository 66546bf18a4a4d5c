package io.llumnix.scheduler.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference's walk of a lookup answer into per-holder hit lengths. */
class PrefixHitsTest {

  /** Holders of each key, in key order; "-" stands for a key nobody holds. */
  private static List<List<String>> keys(String... holders) {
    return Arrays.stream(holders)
        .map(h -> h.equals("-") ? List.<String>of() : List.of(h.split(","))).toList();
  }

  // A holder of every key from the first gets all of them; one holding fewer gets its run.
  @Test
  void contiguousRunsFromTheFirstKey() {
    PrefixHits hits = PrefixHits.walk(1024, 256, keys("a,b", "a,b", "a", "a"), true);
    assertThat(hits.byHolder()).isEqualTo(Map.of("a", 1024, "b", 512));
    assertThat(hits.maxHit()).isEqualTo(1024);
    assertThat(hits.promptTokens()).isEqualTo(1024);
    assertThat(hits.holdersAreEndpoints()).isTrue();
  }

  // A key a holder lacks ends its run: what it holds after the gap does not count.
  @Test
  void aGapEndsTheRun() {
    PrefixHits hits = PrefixHits.walk(1280, 256, keys("a", "a", "b", "a", "a"), false);
    assertThat(hits.byHolder()).containsEntry("a", 512);
    // Nobody holding a key (null or empty) is a gap for everyone.
    PrefixHits nulls = PrefixHits.walk(768, 256,
        Arrays.asList(List.of("a"), null, List.of("a")), false);
    assertThat(nulls.byHolder()).isEqualTo(Map.of("a", 256));
    assertThat(nulls.holdersAreEndpoints()).isFalse();
  }

  // Reference semantics: a run may start after key 0 (the walk counts it though a prefix cache
  // would not), and a second gap does not restart it.
  @Test
  void aRunStartingLateCountsAndEndsForGood() {
    PrefixHits hits = PrefixHits.walk(1280, 256, keys("a", "a,b", "a,b", "-", "b"), true);
    assertThat(hits.byHolder()).isEqualTo(Map.of("a", 768, "b", 512));
    PrefixHits twice = PrefixHits.walk(1536, 256, keys("a", "-", "a", "a", "-", "a"), true);
    assertThat(twice.byHolder()).isEqualTo(Map.of("a", 256));
  }

  // The last key covers only the prompt's remaining tokens.
  @Test
  void aPartialLastKeyCountsTheTokensItCovers() {
    PrefixHits hits = PrefixHits.walk(600, 256, keys("a,b", "a,b", "a"), true);
    assertThat(hits.byHolder()).isEqualTo(Map.of("a", 600, "b", 512));
    // A key past the prompt's end (a caller's mistake) adds nothing rather than a negative.
    PrefixHits past = PrefixHits.walk(256, 256, keys("a", "a"), true);
    assertThat(past.byHolder()).isEqualTo(Map.of("a", 256));
  }

  // A holder named twice for one key (e.g. a Mooncake reply listing two replicas on the same
  // transport endpoint; MooncakeJson does not dedupe) still holds that key once: its run goes on.
  @Test
  void aHolderListedTwiceForOneKeyKeepsItsRun() {
    PrefixHits hits = PrefixHits.walk(768, 256, keys("a,a", "a", "a"), true);
    assertThat(hits.byHolder()).isEqualTo(Map.of("a", 768));
  }

  // No holder at all: empty hits, max 0.
  @Test
  void noHolders() {
    assertThat(PrefixHits.walk(512, 256, keys("-", "-"), true).byHolder()).isEmpty();
    assertThat(PrefixHits.walk(512, 256, List.of(), true).maxHit()).isZero();
    PrefixHits none = PrefixHits.none(300);
    assertThat(none.byHolder()).isEmpty();
    assertThat(none.maxHit()).isZero();
    assertThat(none.promptTokens()).isEqualTo(300);
  }
}
