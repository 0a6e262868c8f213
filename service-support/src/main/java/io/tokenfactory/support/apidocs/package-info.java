/**
 * Each service's OpenAPI description: what every operation needs (a gateway-signed
 * identity, an API key at the gateway) and how every one fails (RFC 9457 problems).
 */
@NullMarked
package io.tokenfactory.support.apidocs;

import org.jspecify.annotations.NullMarked;
