/**
 * The llumlet's gRPC service ({@code llumlet.proto}: {@code Migrate}, {@code Abort}), generated,
 * and the names its migration fields take ({@link io.llumnix.llumlet.api.MigrationRule},
 * {@link io.llumnix.llumlet.api.MigrationOrder}).
 */
@NullMarked
package io.llumnix.llumlet.api;

import org.jspecify.annotations.NullMarked;
