package io.tokenfactory.gateway.sso;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.KeyAuthority;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;

/**
 * People signed in through the organisation's OpenID Connect provider: the provider's
 * access token (a JWT, verified against the issuer's published keys, its issuer, expiry
 * and, when configured, audience) becomes a caller like a key — its id derived from the
 * issuer and subject, its name from the name claim, its scopes and department from its
 * groups. A platform role's group gives platform scopes (and no department); otherwise
 * membership of exactly one department's group gives the member scopes there. A person in
 * no mapped group, or in several departments' groups, is signed in with nothing to do
 * (403 everywhere but {@code /api/me}).
 */
@Component
public class SsoPeople {

    private static final Logger log = LoggerFactory.getLogger(SsoPeople.class);

    private final GatewayProperties.SingleSignOn settings;

    private final @Nullable ReactiveJwtDecoder decoder;

    private final Map<String, Set<String>> scopesByGroup;

    private final Map<String, UUID> departmentByGroup;

    private final Set<String> memberScopes;

    private final SsoSignIns signIns;

    @Autowired
    SsoPeople(GatewayProperties properties, SsoSignIns signIns) {
        this(properties.sso(), signIns, properties.sso().enabled() ? decoder(properties.sso()) : null);
    }

    SsoPeople(GatewayProperties.SingleSignOn settings, SsoSignIns signIns, @Nullable ReactiveJwtDecoder decoder) {
        this.settings = settings;
        this.signIns = signIns;
        this.decoder = decoder;
        this.scopesByGroup = groupScopes(settings.groupScopes());
        this.departmentByGroup = groupDepartments(settings.groupDepartments());
        this.memberScopes = scopes(List.of(settings.memberScopes().split(",")), KeyAuthority.DEPARTMENT_SCOPES,
                "member-scopes (TF_SSO_MEMBER_SCOPES)");
        if (settings.enabled()) {
            log.info("Single sign-on through {}: {} platform group(s), {} department group(s)", settings.issuerUri(),
                    scopesByGroup.size(), departmentByGroup.size());
        }
    }

    public boolean enabled() {
        return decoder != null;
    }

    /**
     * The person a provider's access token stands for, and their sign-in recorded once
     * per token; a token that is not a valid one of the provider's fails with
     * {@link BadCredentialsException}.
     */
    public Mono<ApiKeyView> authenticate(String token, @Nullable String address) {
        if (decoder == null) {
            return Mono.error(new BadCredentialsException("single sign-on is off"));
        }
        return decoder.decode(token)
            .onErrorMap(JwtException.class, invalid -> new BadCredentialsException(invalid.getMessage(), invalid))
            .flatMap(jwt -> {
                ApiKeyView person = person(jwt);
                return signIns.record(jwt, person, address).thenReturn(person);
            });
    }

    /** The caller a verified token stands for. */
    ApiKeyView person(Jwt jwt) {
        List<String> groups = groups(jwt.getClaim(settings.groupsClaim()));
        Set<String> scopes = new TreeSet<>();
        groups.forEach(group -> scopes.addAll(scopesByGroup.getOrDefault(group, Set.of())));
        Set<UUID> departments = new LinkedHashSet<>();
        groups.stream().map(departmentByGroup::get).filter(department -> department != null).forEach(departments::add);
        String name = name(jwt);
        UUID department = null;
        if (scopes.isEmpty() && departments.size() == 1) {
            department = departments.iterator().next();
            scopes.addAll(memberScopes);
        }
        else if (scopes.isEmpty() && departments.size() > 1) {
            log.warn("{} belongs to the groups of {} departments ({}); signed in with no department and nothing to do",
                    name, departments.size(), departments);
        }
        UUID id = UUID
            .nameUUIDFromBytes((settings.issuerUri() + "|" + jwt.getSubject()).getBytes(StandardCharsets.UTF_8));
        Instant issued = jwt.getIssuedAt() != null ? jwt.getIssuedAt() : Instant.EPOCH;
        Instant expires = jwt.getExpiresAt() != null ? jwt.getExpiresAt() : issued;
        return ApiKeyView.person(id, name, department, Set.copyOf(scopes), issued, expires);
    }

    private String name(Jwt jwt) {
        for (String claim : List.of(settings.nameClaim(), "preferred_username", "email", "name")) {
            String value = jwt.getClaimAsString(claim);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return jwt.getSubject();
    }

    private static List<String> groups(@Nullable Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (claim instanceof String text && !text.isBlank()) {
            return List.of(text.trim().split("[\\s,]+"));
        }
        return List.of();
    }

    private static ReactiveJwtDecoder decoder(GatewayProperties.SingleSignOn settings) {
        // the provider's keys are found through its discovery document on first use: a
        // gateway starts while the
        // provider is away, and answers 401 to its tokens until it is back
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withIssuerLocation(settings.issuerUri()).build();
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(JwtValidators.createDefaultWithIssuer(settings.issuerUri()));
        if (!settings.audience().isBlank()) {
            validators.add(new JwtClaimValidator<List<String>>("aud",
                    audience -> audience != null && audience.contains(settings.audience())));
        }
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    /** {@code group=scope,scope;group=scope} */
    private static Map<String, Set<String>> groupScopes(String setting) {
        Set<String> known = new HashSet<>(ApiKeys.PLATFORM_SCOPES);
        Map<String, Set<String>> mapping = new HashMap<>();
        entries(setting, "group-scopes (TF_SSO_GROUP_SCOPES)").forEach((group, value) -> mapping.put(group,
                scopes(List.of(value.split(",")), known, "group-scopes (TF_SSO_GROUP_SCOPES)")));
        return Map.copyOf(mapping);
    }

    /** {@code group=department-id;group=department-id} */
    private static Map<String, UUID> groupDepartments(String setting) {
        Map<String, UUID> mapping = new HashMap<>();
        entries(setting, "group-departments (TF_SSO_GROUP_DEPARTMENTS)").forEach((group, value) -> {
            try {
                mapping.put(group, UUID.fromString(value));
            }
            catch (IllegalArgumentException notAnId) {
                throw new IllegalStateException(
                        "tokenfactory.gateway.sso.group-departments (TF_SSO_GROUP_DEPARTMENTS): " + group + " maps to '"
                                + value + "', not a department id");
            }
        });
        return Map.copyOf(mapping);
    }

    private static Map<String, String> entries(String setting, String name) {
        Map<String, String> entries = new HashMap<>();
        for (String entry : setting.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals <= 0 || equals == entry.length() - 1) {
                throw new IllegalStateException(
                        "tokenfactory.gateway.sso." + name + ": '" + entry.strip() + "' is not group=value");
            }
            entries.put(entry.substring(0, equals).strip(), entry.substring(equals + 1).strip());
        }
        return entries;
    }

    private static Set<String> scopes(List<String> listed, Set<String> allowed, String name) {
        Set<String> scopes = new TreeSet<>();
        for (String scope : listed) {
            if (scope.isBlank()) {
                continue;
            }
            if (!allowed.contains(scope.strip())) {
                throw new IllegalStateException("tokenfactory.gateway.sso." + name + ": '" + scope.strip()
                        + "' is not one of " + new TreeSet<>(allowed));
            }
            scopes.add(scope.strip());
        }
        return Set.copyOf(scopes);
    }

}
