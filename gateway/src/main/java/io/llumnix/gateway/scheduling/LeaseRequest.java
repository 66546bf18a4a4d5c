package io.llumnix.gateway.scheduling;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What scheduling needs of a request.
 *
 * @param promptTokenIds sent to the scheduler when the gateway forwards tokens; null when not
 * @param avoid endpoints ({@code host:port}) that already failed this request: never chosen
 *     again for it, whichever id a scheduler gives them
 */
public record LeaseRequest(String id, String model, int promptTokens,
    int @Nullable [] promptTokenIds, Set<String> avoid) {}
