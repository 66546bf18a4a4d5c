package io.llumnix.gateway.mirror;

/**
 * Where the gateway's mirror config lives and how much mirroring may cost.
 *
 * @param configPath {@code --mirror-config}: the file; empty: no mirroring
 * @param checkMillis {@code --mirror-config-interval}: between reads of the file
 * @param maxInFlight {@code --mirror-max-in-flight}: copies under way at once; more are dropped
 */
public record MirrorSettings(String configPath, long checkMillis, int maxInFlight) {

  /** The reference's file and interval; 64 copies at once. */
  public static final MirrorSettings DEFAULT = new MirrorSettings("/mnt/mirror.json", 10_000, 64);

  public MirrorSettings {
    if (checkMillis < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("--mirror-config-interval " + checkMillis
          + " ms, --mirror-max-in-flight " + maxInFlight + " (expected: >= 1 each)");
    }
  }
}
