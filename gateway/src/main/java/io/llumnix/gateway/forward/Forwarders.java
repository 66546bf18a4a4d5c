package io.llumnix.gateway.forward;

import io.vertx.core.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The forwarders by name: an explicit list, filled in {@link #builtins()}. A new way of
 * reaching engines is a {@link Forwarder} class and one {@code register} line here.
 */
public final class Forwarders {

  /** Makes a forwarder sending through {@code engines}. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param staged {@code --separate-pd-scheduling}: a prefill/decode forwarder schedules
     *     the decode stage after the prefill (pd_staged) instead of with it (pd_batch)
     */
    Forwarder create(HttpClient engines, boolean staged);
  }

  private final Map<String, Factory> factories = new LinkedHashMap<>();

  private Forwarders() {}

  /**
   * The built-in forwarders: {@value NeutralForwarder#NAME}, {@value VllmKvtForwarder#NAME}
   * and {@value VllmMooncakeForwarder#NAME}.
   */
  public static Forwarders builtins() {
    Forwarders forwarders = new Forwarders();
    forwarders.register(NeutralForwarder.NAME, (engines, staged) -> new NeutralForwarder(engines));
    forwarders.register(VllmKvtForwarder.NAME, VllmKvtForwarder::new);
    forwarders.register(VllmMooncakeForwarder.NAME, VllmMooncakeForwarder::new);
    return forwarders;
  }

  private void register(String name, Factory factory) {
    if (factories.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("forwarder registered twice: " + name);
    }
  }

  /** The names, in registration order. */
  public Set<String> names() {
    return factories.keySet();
  }

  /**
   * The forwarder named {@code name}, sending through {@code engines}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public Forwarder create(String name, HttpClient engines, boolean staged) {
    Factory factory = factories.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("forwarder: " + name + " (expected one of: "
          + factories.keySet() + ")");
    }
    return factory.create(engines, staged);
  }
}
