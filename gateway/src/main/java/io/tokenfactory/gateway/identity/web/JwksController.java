package io.tokenfactory.gateway.identity.web;

import java.util.Map;

import io.tokenfactory.gateway.identity.IdentityTokens;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The public key the services verify identity tokens with (RFC 7517 JWK set). */
@RestController
class JwksController {

    private final IdentityTokens identityTokens;

    JwksController(IdentityTokens identityTokens) {
        this.identityTokens = identityTokens;
    }

    @GetMapping("/.well-known/jwks.json")
    Map<String, Object> jwks() {
        return identityTokens.publicKeys().toJSONObject();
    }

}
