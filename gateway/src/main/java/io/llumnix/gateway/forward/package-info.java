/**
 * Forwarding, the stage that reaches engines: a {@link io.llumnix.gateway.forward.Forwarder}
 * per way of reaching them (neutral, and the prefill/decode protocols {@code vllm-kvt} and
 * {@code vllm-mooncake}, each built of {@link io.llumnix.gateway.forward.EngineCall}s), registered
 * in
 * {@link io.llumnix.gateway.forward.Forwarders}.
 */
@NullMarked
package io.llumnix.gateway.forward;

import org.jspecify.annotations.NullMarked;
