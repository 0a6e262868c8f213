package io.tokenfactory.gateway.sso.web;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the console needs to sign people in through the identity provider (public: it is
 * read before anyone is signed in): the issuer, the console's client id and the scopes to
 * ask for. 404 {@code sso_off} while single sign-on is not configured.
 */
@RestController
class SsoController {

    private final GatewayProperties.SingleSignOn settings;

    SsoController(GatewayProperties properties) {
        this.settings = properties.sso();
    }

    @GetMapping("/api/sso")
    SsoSettings settings() {
        if (!settings.enabled()) {
            throw new ApiProblemException(HttpStatus.NOT_FOUND, "sso_off", "Not found",
                    "Single sign-on is not configured (TF_SSO_ISSUER_URI); sign in with an API key");
        }
        return new SsoSettings(settings.issuerUri(), settings.clientId(), settings.scope());
    }

    /** The console's side of the sign-in: where to send the person, as which client. */
    record SsoSettings(String issuer, String clientId, String scope) {
    }

}
