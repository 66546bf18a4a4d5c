/**
 * The cluster meta store of full mode: each instance's metadata and status,
 * written by its llumlet and read by schedulers, in Redis or, for a one-process cluster, in
 * memory.
 */
@NullMarked
package io.llumnix.cms;

import org.jspecify.annotations.NullMarked;
