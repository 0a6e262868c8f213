package io.tokenfactory.gateway.apikey.web;

import java.time.Clock;

import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller's key is: its department, agent and scopes (the console signs in with
 * it). Never the secret.
 */
@RestController
class MeController {

    private final Clock clock;

    MeController(Clock clock) {
        this.clock = clock;
    }

    @GetMapping("/api/me")
    ApiKeyController.KeyResponse me(@AuthenticationPrincipal ApiKeyView key) {
        return ApiKeyController.KeyResponse.of(key, clock.instant());
    }

}
