package io.tokenfactory.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.support.audit.Actor;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * What a person's groups let them do, as the configuration maps them.
 */
class SsoPeopleTests {

    private static final UUID RESEARCH = UUID.randomUUID();

    private static final UUID SUPPORT = UUID.randomUUID();

    private final SsoPeople people = people("tf-admins=admin;tf-finance=billing:admin,keys:admin",
            "tf-research=" + RESEARCH + "; tf-support=" + SUPPORT, "usage:read,billing:read");

    @Test
    void aDepartmentsGroupMakesAMemberWithTheMemberScopes() {
        ApiKeyView ada = people.person(
                token("ada-sub", Map.of("preferred_username", "ada", "groups", List.of("tf-research", "unrelated"))));

        assertThat(ada.departmentId()).isEqualTo(RESEARCH);
        assertThat(ada.scopes()).containsExactlyInAnyOrder("usage:read", "billing:read");
        assertThat(ada.name()).isEqualTo("ada");
        assertThat(ada.person()).isEqualTo("ada");
        assertThat(ada.actor("10.0.0.1")).isEqualTo(Actor.user("ada", RESEARCH, "10.0.0.1"));
        // the same person, the same id, on every sign-in; another subject, another id
        assertThat(people.person(token("ada-sub", Map.of("groups", List.of("tf-research")))).id()).isEqualTo(ada.id());
        assertThat(people.person(token("bob-sub", Map.of("groups", List.of("tf-research")))).id())
            .isNotEqualTo(ada.id());
    }

    @Test
    void aPlatformGroupGivesPlatformScopesAndNoDepartment() {
        ApiKeyView grace = people
            .person(token("g", Map.of("email", "grace@example.com", "groups", "tf-finance tf-research")));

        assertThat(grace.scopes()).containsExactlyInAnyOrder("billing:admin", "keys:admin");
        assertThat(grace.departmentId()).isNull();
        assertThat(grace.name()).isEqualTo("grace@example.com");
        assertThat(people.person(token("h", Map.of("groups", List.of("tf-admins")))).scopes()).containsExactly("admin");
    }

    @Test
    void nobodyGetsAnythingFromNoMappedGroupOrFromTwoDepartments() {
        for (Object groups : List.of(List.of("unmapped"), List.of("tf-research", "tf-support"), List.of())) {
            ApiKeyView person = people.person(token("x", Map.of("groups", groups)));
            assertThat(person.scopes()).as("%s", groups).isEmpty();
            assertThat(person.departmentId()).as("%s", groups).isNull();
        }
        assertThat(people.person(token("only-a-subject", Map.of())).name()).isEqualTo("only-a-subject");
    }

    @Test
    void refusesToStartOnAMappingThatCouldNotBeMeant() {
        assertThatIllegalStateException().isThrownBy(() -> people("tf-admins=root", "", "usage:read"))
            .withMessageContaining("'root' is not one of");
        // group-scopes name platform roles; a department's scopes come with membership
        assertThatIllegalStateException().isThrownBy(() -> people("tf-x=inference", "", "usage:read"))
            .withMessageContaining("'inference' is not one of");
        assertThatIllegalStateException().isThrownBy(() -> people("", "tf-research=research", "usage:read"))
            .withMessageContaining("not a department id");
        assertThatIllegalStateException().isThrownBy(() -> people("", "", "usage:read,admin"))
            .withMessageContaining("'admin' is not one of");
        assertThatIllegalStateException().isThrownBy(() -> people("tf-admins", "", "usage:read"))
            .withMessageContaining("is not group=value");
    }

    private static SsoPeople people(String groupScopes, String groupDepartments, String memberScopes) {
        return new SsoPeople(
                new GatewayProperties.SingleSignOn("https://login.example.com/realms/acme", "tf-console", "",
                        "openid profile", "groups", "preferred_username", groupScopes, groupDepartments, memberScopes),
                null, null);
    }

    private static Jwt token(String subject, Map<String, Object> claims) {
        Instant now = Instant.now();
        return Jwt.withTokenValue("token")
            .header("alg", "RS256")
            .subject(subject)
            .issuedAt(now)
            .expiresAt(now.plusSeconds(300))
            .claims(all -> all.putAll(claims))
            .build();
    }

}
