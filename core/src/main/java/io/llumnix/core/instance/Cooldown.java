package io.llumnix.core.instance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Instances that just failed a request at the transport level (refused the connection, cut a
 * stream, stopped answering), passed over for a while so that new requests stop going where
 * they would fail too: a dead engine looks idle to every load metric, and its records outlive
 * it (a discovery TTL, the CMS staleness window). Soft: when every candidate is cooling down,
 * all of them are candidates again, so one failure never leaves a cluster with nothing to try.
 * Thread-safe.
 */
public final class Cooldown {

  /** A cooldown that passes nothing over (it never holds an entry). */
  public static final Cooldown NONE = new Cooldown(0, System::nanoTime);

  private final long nanos;
  private final LongSupplier nanoTime;
  /** Key to the {@code nanoTime} its cooldown ends at. */
  private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();

  /**
   * @param millis how long a failed instance is passed over; 0 turns it off
   * @param nanoTime the clock ({@code clock::nanoTime})
   */
  public Cooldown(long millis, LongSupplier nanoTime) {
    if (millis < 0) {
      throw new IllegalArgumentException("cooldown " + millis + " ms (expected: >= 0)");
    }
    this.nanos = millis * 1_000_000L;
    this.nanoTime = nanoTime;
  }

  /**
   * {@code key} failed a request now: it is passed over until the cooldown ends. Returns
   * whether it was not cooling down already (a new failure, worth a log line).
   */
  public boolean failed(String key) {
    if (nanos == 0) {
      return false;
    }
    long now = nanoTime.getAsLong();
    Long before = until.put(key, now + nanos);
    return before == null || before - now <= 0;
  }

  /** Whether {@code key} is cooling down now. */
  public boolean cooling(String key) {
    if (until.isEmpty()) {
      return false;
    }
    Long end = until.get(key);
    if (end == null) {
      return false;
    }
    if (end - nanoTime.getAsLong() > 0) {
      return true;
    }
    until.remove(key, end);
    return false;
  }

  /**
   * {@code candidates} without those cooling down, in order; {@code candidates} itself when
   * none is cooling down, or when all are. Allocates only while some instance cools down.
   */
  public <T> List<T> filter(List<T> candidates, Function<T, String> key) {
    if (until.isEmpty()) {
      return candidates;
    }
    List<T> kept = null;
    for (int i = 0; i < candidates.size(); i++) {
      T candidate = candidates.get(i);
      if (cooling(key.apply(candidate))) {
        if (kept == null) {
          kept = new ArrayList<>(candidates.subList(0, i));
        }
      } else if (kept != null) {
        kept.add(candidate);
      }
    }
    return kept == null || kept.isEmpty() ? candidates : kept;
  }
}
