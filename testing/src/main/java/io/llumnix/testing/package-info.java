/**
 * Test support shared by every module: real external tools (promtool) and, as they are needed,
 * real servers (redis-server, Prometheus) started on free loopback ports.
 */
@NullMarked
package io.llumnix.testing;

import org.jspecify.annotations.NullMarked;
