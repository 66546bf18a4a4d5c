/**
 * Prefix hashing: the KV-store keys the cache-aware scheduler looks up ({@link
 * io.llumnix.kvs.hash.KvsKeys}, configured by {@link io.llumnix.kvs.hash.KvsKeyFormat}), and
 * vLLM's own prefix-cache block hash ({@link io.llumnix.kvs.hash.BlockHasher}) for an engine that
 * must announce vLLM's hashes. Both {@code sha256_cbor} variants share one hand-written canonical
 * CBOR encoder, so a scheduler's keys and an engine's block hashes agree when the chunk size is
 * the block size and the seeds match.
 */
@NullMarked
package io.llumnix.kvs.hash;

import org.jspecify.annotations.NullMarked;
