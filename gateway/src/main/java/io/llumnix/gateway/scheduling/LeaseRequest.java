package io.llumnix.gateway.scheduling;

import io.llumnix.scheduler.api.SchedulingMode;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What scheduling needs of a request.
 *
 * @param mode neutral (one instance does both phases), pd_batch (a prefill and a decode
 *     instance at once) or pd_staged (the prefill instance now, the decode one after the
 *     prefill: {@link Lease#scheduleDecode()})
 * @param promptTokenIds sent to the scheduler when the gateway forwards tokens; null when not
 * @param avoid endpoints ({@code host:port}) that already failed this request: never chosen
 *     again for it, whichever id a scheduler gives them
 */
public record LeaseRequest(String id, String model, SchedulingMode mode, int promptTokens,
    int @Nullable [] promptTokenIds, Set<String> avoid) {}
