/**
 * Which engine instances exist: the reference's Redis discovery records (read by
 * {@link io.llumnix.discovery.RedisDiscovery}, written by the
 * {@link io.llumnix.discovery.DiscoverySidecar}), with the reference's keys and protobuf fields.
 */
@NullMarked
package io.llumnix.discovery;

import org.jspecify.annotations.NullMarked;
