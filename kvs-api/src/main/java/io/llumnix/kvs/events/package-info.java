/**
 * vLLM's KV-cache events, wire-compatible with vLLM's {@code --kv-events-config} publisher: the
 * events ({@link io.llumnix.kvs.events.BlockStored}, {@link io.llumnix.kvs.events.BlockRemoved},
 * {@link io.llumnix.kvs.events.AllBlocksCleared}) batched per engine step
 * ({@link io.llumnix.kvs.events.KvEventBatch}), their msgpack form
 * ({@link io.llumnix.kvs.events.KvEventCodec}, both the legacy positional and the current map
 * form), the flag's JSON ({@link io.llumnix.kvs.events.KvEventsConfig}), and the two ends of the
 * ZeroMQ stream: a PUB publisher with a ROUTER replay buffer
 * ({@link io.llumnix.kvs.events.KvEventPublisher}) and a SUB subscriber that fills gaps by
 * replay and reports publisher restarts ({@link io.llumnix.kvs.events.KvEventSubscriber}).
 *
 * <p>A message is three frames: the topic, the batch's sequence number (8 bytes big-endian,
 * counting from 0 per publisher) and the msgpack payload.
 */
@NullMarked
package io.llumnix.kvs.events;

import org.jspecify.annotations.NullMarked;
