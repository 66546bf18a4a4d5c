/**
 * Which engine instances exist: the Redis records of llumnix.md §2.4 (read by
 * {@link io.llumnix.discovery.RedisDiscovery}, written by the
 * {@link io.llumnix.discovery.DiscoverySidecar}), with the reference's keys and protobuf fields.
 */
@NullMarked
package io.llumnix.discovery;

import org.jspecify.annotations.NullMarked;
