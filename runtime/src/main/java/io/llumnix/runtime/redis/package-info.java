/** Redis: how to connect (CMS, discovery, llumlet) and a real redis-server to run. */
@NullMarked
package io.llumnix.runtime.redis;

import org.jspecify.annotations.NullMarked;
