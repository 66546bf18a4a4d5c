package io.llumnix.gateway.forward;

import io.vertx.core.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The forwarders by name: an explicit list, filled in {@link #builtins()}. A new way of
 * reaching engines is a {@link Forwarder} class and one {@code register} line here.
 */
public final class Forwarders {

  private final Map<String, Function<HttpClient, Forwarder>> factories = new LinkedHashMap<>();

  private Forwarders() {}

  /** The built-in forwarders: {@value NeutralForwarder#NAME}. */
  public static Forwarders builtins() {
    Forwarders forwarders = new Forwarders();
    forwarders.register(NeutralForwarder.NAME, NeutralForwarder::new);
    return forwarders;
  }

  private void register(String name, Function<HttpClient, Forwarder> factory) {
    if (factories.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("forwarder registered twice: " + name);
    }
  }

  /**
   * The forwarder named {@code name}, sending through {@code engines}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public Forwarder create(String name, HttpClient engines) {
    Function<HttpClient, Forwarder> factory = factories.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("forwarder: " + name + " (expected one of: "
          + factories.keySet() + ")");
    }
    return factory.apply(engines);
  }
}
