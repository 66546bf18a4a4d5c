package io.llumnix.gateway.route;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One version of the route config under its policy: immutable, so a reload swaps the whole
 * table and a request keeps the one it started with.
 *
 * @param fallbacks the entries tried, in config order, when a request's route failed: those
 *     marked {@code fallback} that are not the local cluster
 */
public record RouteTable(RoutePolicy policy, List<RouteEntry> entries,
    List<RouteEntry> fallbacks) {

  /** The {@code --route-policy} names. */
  public static final Map<String, RoutePolicy> POLICIES = Map.of(
      "weight", new WeightPolicy(),
      "prefix", new PrefixPolicy());

  /** No config: every request to the local cluster. */
  public static final RouteTable LOCAL_ONLY = new RouteTable(new WeightPolicy(), List.of(),
      List.of());

  public RouteTable {
    entries = List.copyOf(entries);
    fallbacks = List.copyOf(fallbacks);
  }

  /** The table of {@code entries} under {@code policy}. */
  public static RouteTable of(RoutePolicy policy, List<RouteEntry> entries) {
    List<RouteEntry> fallbacks = new ArrayList<>();
    for (RouteEntry entry : entries) {
      if (entry.fallback() && !entry.local()) {
        fallbacks.add(entry);
      }
    }
    return new RouteTable(policy, entries, fallbacks);
  }

  /**
   * The table a route config's JSON array describes.
   *
   * @throws IllegalArgumentException when it is not an array of entries, or an entry is bad
   */
  public static RouteTable parse(RoutePolicy policy, Buffer json) {
    JsonArray array;
    try {
      array = new JsonArray(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the route config is not a JSON array: "
          + e.getMessage(), e);
    }
    List<RouteEntry> entries = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      try {
        JsonObject entry = array.getJsonObject(i);
        entries.add(new RouteEntry(entry.getString("base_url", ""),
            entry.getString("api_key", ""), entry.getString("model", ""),
            entry.getBoolean("fallback", false), entry.getInteger("weight", 0),
            entry.getString("prefix", "")));
      } catch (ClassCastException | IllegalArgumentException e) {
        throw new IllegalArgumentException("route config entry " + i + ": " + e.getMessage(), e);
      }
    }
    return of(policy, entries);
  }

  /** Where a request for {@code model} goes. */
  public Route route(String model) {
    return entries.isEmpty() ? Route.INTERNAL
        : policy.choose(entries, model, ThreadLocalRandom.current());
  }

  /** Whether a request may go anywhere but the local cluster. */
  public boolean routes() {
    return !entries.isEmpty();
  }

  /** In words, for the log. */
  String describe() {
    return entries.size() + " entries (" + fallbacks.size() + " fallback)";
  }
}
