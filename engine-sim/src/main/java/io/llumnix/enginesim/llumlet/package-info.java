/**
 * The llumlet beside each simulated engine: it publishes the instance's metadata and, at every
 * load change, its status to the cluster meta store, as the reference's llumlet does for vLLM.
 */
@NullMarked
package io.llumnix.enginesim.llumlet;

import org.jspecify.annotations.NullMarked;
