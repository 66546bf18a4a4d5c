package io.llumnix.enginesim.llumlet;

import io.llumnix.cms.CmsStore;
import io.vertx.core.Vertx;
import java.util.function.Function;

/**
 * Where and how the simulator's llumlets publish.
 *
 * @param store opens the CMS store on the simulator's Vert.x (each engine process shares one)
 * @param settings publishing intervals and timeouts
 * @param advertiseHost the address written as the instance's {@code ip}: one gateways reach
 */
public record CmsTarget(Function<Vertx, CmsStore> store, Llumlet.Settings settings,
    String advertiseHost) {}
