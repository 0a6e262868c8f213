package io.tokenfactory.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jwt.SignedJWT;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * billing-service's audit trail: departments, prices, webhooks and closes are recorded
 * once, in the change's own transaction, with the key the gateway vouched for, its
 * department, the client's address as the gateway saw it, and the state before and after;
 * the trail cannot be altered and is for administrators only.
 */
@ServiceIntegrationTest
class AuditTrailIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void administrativeAndDepartmentChangesAreRecordedWithWhoFromWhereBeforeAndAfter() throws Exception {
        String adminToken = TestTokens.admin();
        String adminKey = SignedJWT.parse(adminToken).getJWTClaimsSet().getStringClaim("key_id");
        HttpTestClient admin = HttpTestClient.onPort(port).withToken(adminToken);
        Map<String, String> from = Map.of("X-TF-Client-Address", "203.0.113.7");
        String suffix = UUID.randomUUID().toString().substring(0, 8);

        String department = admin
            .postWithHeaders("/api/billing/departments",
                    Map.of("name", "Audited " + suffix, "costCentreCode", "AUD-" + suffix), from)
            .getBody()
            .get("id")
            .asString();
        admin.put("/api/billing/departments/" + department,
                Map.of("name", "Audited and renamed " + suffix, "costCentreCode", "AUD-" + suffix));
        admin.post("/api/billing/models", Map.of("name", "audited-model-" + suffix, "task", "GENERATION"));

        List<JsonNode> trail = admin.get("/api/audit?subject=" + department).getBody().valueStream().toList();
        assertThat(trail).extracting(record -> record.get("action").asString())
            .containsExactly("department.updated", "department.created");
        JsonNode created = trail.get(1);
        assertThat(created.get("actorKind").asString()).isEqualTo("API_KEY");
        assertThat(created.get("actorId").asString()).isEqualTo(adminKey);
        assertThat(created.get("sourceAddress").asString()).isEqualTo("203.0.113.7");
        assertThat(created.get("before").isNull()).isTrue();
        JsonNode renamed = trail.get(0);
        assertThat(state(renamed, "before").get("name").asString()).isEqualTo("Audited " + suffix);
        assertThat(state(renamed, "after").get("name").asString()).isEqualTo("Audited and renamed " + suffix);
        assertThat(admin.get("/api/audit?action=price.model&subject=audited-model-" + suffix)
            .getBody()
            .valueStream()
            .toList()).hasSize(1);

        // a department manages its webhooks: recorded under its own key and department
        String departmentToken = TestTokens.department(UUID.fromString(department), "billing:read");
        HttpTestClient own = HttpTestClient.onPort(port).withToken(departmentToken);
        String webhook = own
            .post("/api/billing/webhooks",
                    Map.of("url", "https://alerts.example/audited", "eventKinds", List.of("BUDGET_WARNING")))
            .getBody()
            .at("/webhook/id")
            .asString();
        assertThat(own.delete("/api/billing/webhooks/" + webhook).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        List<JsonNode> hooks = admin.get("/api/audit?subject=" + webhook).getBody().valueStream().toList();
        assertThat(hooks).extracting(record -> record.get("action").asString())
            .containsExactly("webhook.deleted", "webhook.created");
        assertThat(hooks).allSatisfy(record -> {
            assertThat(record.get("actorDepartment").asString()).isEqualTo(department);
            assertThat(record.get("departmentId").asString()).isEqualTo(department);
        });
        assertThat(hooks.get(0).get("after").isNull()).isTrue();
        assertThat(hooks.get(1).get("after").asString()).doesNotContain("\"secret\"");
        // a URL's path can be a secret of its own (a Slack webhook's): the trail keeps
        // its origin
        assertThat(hooks.get(1).get("after").asString()).contains("https://alerts.example/…")
            .doesNotContain("/audited");
        assertThat(admin.getText("/api/audit/csv?subject=" + webhook).getBody().lines()).hasSize(3);

        // nobody rewrites it, and only administrators read it
        assertThatThrownBy(() -> jdbc.update("UPDATE audit_record SET actor_id = 'someone else'"))
            .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM audit_record")).hasMessageContaining("append-only");
        assertThat(own.get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static JsonNode state(JsonNode record, String which) {
        return JSON.readTree(record.get(which).asString());
    }

}
