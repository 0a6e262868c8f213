package io.tokenfactory.gateway.apikey.web;

import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;

/** Who the caller's key is: its department, agent and scopes (the console signs in with it). Never the secret. */
@RestController
class MeController {

    @GetMapping("/api/me")
    Mono<ApiKeyController.KeyResponse> me() {
        return ReactiveSecurityContextHolder.getContext()
                .map(context -> (ApiKeyView) context.getAuthentication().getPrincipal())
                .map(ApiKeyController.KeyResponse::of);
    }
}
