/**
 * {@code llumnix kvs}: a KV-store metadata service that answers Mooncake master's
 * {@code /batch_query_keys} (which endpoints hold which chunk keys, for cache-aware
 * scheduling) from an index that engines write, kept in memory or in Redis. Start with
 * {@link io.llumnix.kvs.server.KvsServer}.
 */
@NullMarked
package io.llumnix.kvs.server;

import org.jspecify.annotations.NullMarked;
