package io.llumnix.kvs.server;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The index in this process's memory, lost on restart: for a single service replica, local
 * clusters and tests. Both directions are kept, key to endpoints and endpoint to keys, so an
 * endpoint is dropped in time proportional to what it held. A lock guards both maps: every
 * operation is a few map updates per key, far below what an event loop may spend.
 */
public final class MemoryKvsStore implements KvsStore {

  private final Map<String, Set<String>> endpointsByKey = new HashMap<>();
  private final Map<String, Set<String>> keysByEndpoint = new HashMap<>();
  private long pairs;

  @Override
  public synchronized Future<Map<String, List<String>>> query(List<String> keys) {
    Map<String, List<String>> found = new HashMap<>();
    for (String key : keys) {
      Set<String> endpoints = endpointsByKey.get(key);
      if (endpoints != null) {
        found.put(key, new ArrayList<>(endpoints));
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public synchronized Future<Void> put(String endpoint, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> held = keysByEndpoint.computeIfAbsent(endpoint, e -> new LinkedHashSet<>());
    for (String key : keys) {
      if (held.add(key)) {
        endpointsByKey.computeIfAbsent(key, k -> new LinkedHashSet<>(2)).add(endpoint);
        pairs++;
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> remove(String endpoint, Collection<String> keys) {
    Set<String> held = keysByEndpoint.get(endpoint);
    if (held == null) {
      return Future.succeededFuture();
    }
    for (String key : keys) {
      if (held.remove(key)) {
        unlink(key, endpoint);
      }
    }
    if (held.isEmpty()) {
      keysByEndpoint.remove(endpoint);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> removeEndpoint(String endpoint) {
    Set<String> held = keysByEndpoint.remove(endpoint);
    if (held == null) {
      return Future.succeededFuture(0L);
    }
    for (String key : held) {
      unlink(key, endpoint);
    }
    return Future.succeededFuture((long) held.size());
  }

  private void unlink(String key, String endpoint) {
    Set<String> endpoints = endpointsByKey.get(key);
    if (endpoints != null && endpoints.remove(endpoint)) {
      pairs--;
      if (endpoints.isEmpty()) {
        endpointsByKey.remove(key);
      }
    }
  }

  @Override
  public synchronized Future<Stats> stats() {
    return Future.succeededFuture(new Stats(pairs, keysByEndpoint.size()));
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
