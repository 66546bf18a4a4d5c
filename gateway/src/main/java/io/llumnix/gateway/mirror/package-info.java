/**
 * Mirroring: a share of requests also sent to another server, fire and forget
 * ({@link io.llumnix.gateway.mirror.Mirror}), as a hot-reloaded file configures it
 * ({@link io.llumnix.gateway.mirror.MirrorConfig}).
 */
@NullMarked
package io.llumnix.gateway.mirror;

import org.jspecify.annotations.NullMarked;
