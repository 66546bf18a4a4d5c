/**
 * Who may use the gateway: API keys checked on every {@code /v1} request
 * ({@link io.llumnix.gateway.auth.ApiKeyCheck}).
 */
@NullMarked
package io.llumnix.gateway.auth;

import org.jspecify.annotations.NullMarked;
