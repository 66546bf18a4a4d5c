package io.llumnix.gateway.health;

/**
 * How the gateway tells a dead or frozen engine from a slow one, and what it does then.
 *
 * @param idleSeconds {@code --engine-idle-timeout}: an engine connection with no byte for this
 *     long fails its request, whatever the engine's health: the last resort
 * @param probeAfterMillis {@code --engine-probe-after}: a request whose engine sent nothing for
 *     this long has the engine's {@code /health} asked; 0: never
 * @param probeTimeoutMillis {@code --engine-probe-timeout}: a {@code /health} not answered 200
 *     within this fails the requests waiting on the engine
 * @param cooldownMillis {@code --instance-failure-cooldown-ms}: an instance that failed a request
 *     at the transport level is passed over this long by round-robin picks (the scheduler has
 *     its own); 0: never
 */
public record EngineHealthSettings(int idleSeconds, long probeAfterMillis,
    long probeTimeoutMillis, long cooldownMillis) {

  /** 5 minutes idle (the reference's), a probe after 10 s of silence with 3 s to answer (the
   *  discovery sidecar's health check), a 10 s cooldown. */
  public static final EngineHealthSettings DEFAULT =
      new EngineHealthSettings(300, 10_000, 3_000, 10_000);

  public EngineHealthSettings {
    if (idleSeconds < 1) {
      throw new IllegalArgumentException("--engine-idle-timeout: " + idleSeconds
          + " s (expected: >= 1)");
    }
    if (probeAfterMillis < 0 || probeTimeoutMillis < 1 || cooldownMillis < 0) {
      throw new IllegalArgumentException("--engine-probe-after " + probeAfterMillis
          + " ms, --engine-probe-timeout " + probeTimeoutMillis
          + " ms, --instance-failure-cooldown-ms " + cooldownMillis
          + " (expected: >= 0, >= 1, >= 0)");
    }
  }

  /** The same with {@code seconds} as the idle timeout. */
  public EngineHealthSettings withIdleSeconds(int seconds) {
    return new EngineHealthSettings(seconds, probeAfterMillis, probeTimeoutMillis,
        cooldownMillis);
  }
}
