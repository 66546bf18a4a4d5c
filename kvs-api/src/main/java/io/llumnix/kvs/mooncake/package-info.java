/**
 * The KV-store metadata service's HTTP API, as Mooncake's master serves it: the
 * {@code /batch_query_keys} lookup that cache-aware scheduling asks which engines hold which
 * chunk keys, and the writes by which engines (or their event relays) tell it what they hold.
 * {@link io.llumnix.kvs.mooncake.MooncakeApi} names the paths,
 * {@link io.llumnix.kvs.mooncake.MooncakeJson} reads and writes the bodies, and
 * {@link io.llumnix.kvs.mooncake.MooncakeClient} calls them.
 */
@NullMarked
package io.llumnix.kvs.mooncake;

import org.jspecify.annotations.NullMarked;
