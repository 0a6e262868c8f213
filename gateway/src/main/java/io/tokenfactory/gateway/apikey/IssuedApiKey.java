package io.tokenfactory.gateway.apikey;

/**
 * A key together with its secret: the only moment the secret exists outside the caller's
 * hands.
 */
public record IssuedApiKey(ApiKeyView key, String secret) {
}
