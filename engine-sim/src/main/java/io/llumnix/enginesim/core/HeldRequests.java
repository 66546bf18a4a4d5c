package io.llumnix.enginesim.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Finished prefill requests whose blocks wait for a decode instance to fetch them, by id, and
 * those that started waiting since the engine last asked (so it can time each hold out without
 * scanning them all). Owned by the {@link EngineCore}; not thread-safe.
 */
final class HeldRequests {

  private final Map<String, SimRequest> byId = new HashMap<>();
  private final ArrayList<String> newlyHeld = new ArrayList<>();

  void hold(SimRequest request) {
    byId.put(request.id(), request);
    newlyHeld.add(request.id());
  }

  /** Stops holding request {@code id}; returns it, or null when it was not held. */
  @Nullable SimRequest release(String id) {
    return byId.remove(id);
  }

  boolean contains(String id) {
    return byId.containsKey(id);
  }

  /** Prompt tokens whose blocks request {@code id} holds, or -1. */
  int tokens(String id) {
    SimRequest request = byId.get(id);
    return request == null ? -1 : request.numPromptTokens();
  }

  /** Hands {@code action} each id held since the last call, once. */
  void drainNew(Consumer<String> action) {
    for (int i = 0; i < newlyHeld.size(); i++) {
      action.accept(newlyHeld.get(i));
    }
    newlyHeld.clear();
  }
}
