/**
 * Traces across the factory: where spans go (OTLP, only when {@code TF_OTLP_ENDPOINT}
 * names a collector) and how a request's trace continues through the outbox and the
 * broker, whose events carry their W3C {@code traceparent}.
 */
@NullMarked
package io.tokenfactory.support.tracing;

import org.jspecify.annotations.NullMarked;
