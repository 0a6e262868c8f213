/**
 * The gateway's dead-letter admin API on WebFlux.
 */
@NullMarked
package io.tokenfactory.gateway.deadletter.web;

import org.jspecify.annotations.NullMarked;
