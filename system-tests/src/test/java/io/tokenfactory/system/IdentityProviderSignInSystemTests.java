package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * Single sign-on on the admin API, against a real OpenID Connect provider
 * ({@link TestIdentityProvider}) and the five real services: the provider's access tokens
 * are taken beside API keys, a person's groups decide what they may do (an
 * administrators' group, one department's group, nothing for anyone else), what a person
 * changes is recorded as theirs in the audit trail of the service that owns it, each
 * sign-in is recorded once, and a token that is not the provider's is refused.
 */
class IdentityProviderSignInSystemTests {

    private static WholeFactory factory;

    private static TestIdentityProvider provider;

    @BeforeAll
    static void startTheFactory() {
        factory = WholeFactory.get();
        provider = factory.identityProvider;
    }

    @Test
    void theAdministratorsGroupAdministersAndTheTrailsSayWhoSignedInAndWhoChangedWhat() {
        String token = provider.accessToken("robot-admin");
        HttpTestClient person = factory.client(token);
        long signInsBefore = signIns("robot-admin");

        JsonNode me = person.get("/api/me").getBody();
        assertThat(me.path("name").asString()).isEqualTo("robot-admin");
        assertThat(me.path("scopes").toString()).isEqualTo("[\"admin\"]");
        String run = UUID.randomUUID().toString().substring(0, 6);
        ResponseEntity<JsonNode> created = person.post("/api/billing/departments",
                Map.of("name", "Made by SSO " + run, "costCentreCode", "SSO-A-" + run));
        assertThat(created.getStatusCode()).as("%s", created.getBody()).isEqualTo(HttpStatus.CREATED);
        assertThat(person.get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.OK);

        // billing recorded the new department as the person's doing, not a key's
        String department = created.getBody().path("id").asString();
        JsonNode trail = factory.admin()
            .get("/api/audit/billing?action=department.created&subject=" + department)
            .getBody();
        assertThat(trail).hasSize(1);
        assertThat(trail.get(0).path("actorKind").asString()).isEqualTo("USER");
        assertThat(trail.get(0).path("actorId").asString()).isEqualTo("robot-admin");
        // one sign-in for one token, however often it was used
        await().atMost(Duration.ofSeconds(10)).until(() -> signIns("robot-admin") == signInsBefore + 1);
        JsonNode signIn = factory.admin().get("/api/audit?action=person.signed-in&actor=robot-admin&limit=1").getBody();
        assertThat(signIn.get(0).path("actorKind").asString()).isEqualTo("USER");
        assertThat(signIn.get(0).path("after").asString()).contains("\"issuer\": \"" + provider.issuer() + "\"");
    }

    @Test
    void aDepartmentsGroupMakesAMemberOfThatDepartmentAndNothingMore() {
        HttpTestClient member = factory.client(provider.accessToken("robot-research"));

        JsonNode me = member.get("/api/me").getBody();
        assertThat(me.path("departmentId").asString()).isEqualTo(factory.ssoResearch.toString());
        assertThat(me.path("scopes").toString()).contains("billing:read", "agents:write").doesNotContain("admin");
        assertThat(member.get("/api/billing/departments/" + factory.ssoResearch).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        assertThat(member.get("/api/agents?departmentId=" + factory.ssoResearch).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        // another department, a platform operation, a scope members are not given
        assertThat(member.get("/api/billing/departments/" + factory.ssoSupport).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(member.get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(member.post("/api/keys", Map.of("name", "mine", "scopes", List.of("inference"))).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(member.get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void somebodyInNoMappedGroupOrInTwoDepartmentsGroupsMayDoNothing() {
        for (String program : List.of("robot-nobody", "robot-two-departments")) {
            HttpTestClient person = factory.client(provider.accessToken(program));

            JsonNode me = person.get("/api/me").getBody();
            assertThat(me.path("scopes").size()).as(program).isZero();
            assertThat(me.path("departmentId").isNull() || me.path("departmentId").isMissingNode()).as(program)
                .isTrue();
            assertThat(person.get("/api/billing/departments/" + factory.ssoResearch).getStatusCode()).as(program)
                .isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(person.get("/api/agents").getStatusCode()).as(program).isEqualTo(HttpStatus.FORBIDDEN);
        }
    }

    @Test
    void aTokenTheProviderDidNotSignIsRefusedAndKeysStillWork() throws Exception {
        String genuine = provider.accessToken("robot-admin");
        String[] parts = genuine.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);
        // the provider's issuer and claims, signed with a key that is not the provider's
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("forged").build(),
                new JWTClaimsSet.Builder().issuer(provider.issuer())
                    .subject("robot-admin")
                    .claim("groups", List.of("tf-admins"))
                    .issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                    .build());
        forged.sign(new RSASSASigner((RSAPrivateKey) generator.generateKeyPair().getPrivate()));

        for (String token : List.of(tampered, forged.serialize(), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")) {
            ResponseEntity<JsonNode> refused = factory.client(token).get("/api/audit");
            assertThat(refused.getStatusCode()).as(token).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(refused.getBody().path("code").asString()).isEqualTo("invalid_api_key");
        }
        assertThat(factory.client(genuine).get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(factory.admin().get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void theConsoleLearnsWhereToSendPeopleWithoutAKey() {
        JsonNode settings = HttpTestClient.onPort(factory.gatewayPort).get("/api/sso").getBody();

        assertThat(settings.path("issuer").asString()).isEqualTo(provider.issuer());
        assertThat(settings.path("clientId").asString()).isEqualTo(TestIdentityProvider.CONSOLE_CLIENT);
        assertThat(settings.path("scope").asString()).contains("openid");
    }

    private static long signIns(String person) {
        return factory.admin()
            .get("/api/audit?action=person.signed-in&actor=" + person + "&limit=10000")
            .getBody()
            .size();
    }

}
