/**
 * Routing between a model's deployments: what each deployment has shown (latency, tokens
 * per joule, cost per token) and the strategies that pick one per request.
 */
@NullMarked
package io.tokenfactory.inference.routing;

import org.jspecify.annotations.NullMarked;
