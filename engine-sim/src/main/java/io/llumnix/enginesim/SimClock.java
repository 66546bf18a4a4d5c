package io.llumnix.enginesim;

/**
 * Simulated time: the wall clock since start, scaled by the speedup. Engines stamp every event
 * with it, so metrics and latencies are in simulated seconds.
 */
public interface SimClock {

  /** Simulated nanoseconds since the clock started. */
  long nowNanos();

  /** Wall nanoseconds until simulated time {@code simNanos}; 0 or less when already past. */
  long wallNanosUntil(long simNanos);

  /** A clock that runs {@code speedup} times faster than {@link System#nanoTime()}. */
  static SimClock scaled(double speedup) {
    long origin = System.nanoTime();
    return new SimClock() {
      @Override
      public long nowNanos() {
        return (long) ((System.nanoTime() - origin) * speedup);
      }

      @Override
      public long wallNanosUntil(long simNanos) {
        return (long) ((simNanos - nowNanos()) / speedup);
      }
    };
  }
}
