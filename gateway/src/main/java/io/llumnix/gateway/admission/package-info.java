/**
 * Admission, a request's first stage: parse, validate, tokenize, and build the engine request
 * and the headers that go with it.
 */
@NullMarked
package io.llumnix.gateway.admission;

import org.jspecify.annotations.NullMarked;
