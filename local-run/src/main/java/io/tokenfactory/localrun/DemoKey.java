package io.tokenfactory.localrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

/**
 * The key a newcomer's first token needs: a department key with the {@code inference} and
 * {@code usage:read} scopes, kept in an owner-only file so every start prints the same
 * one. A kept key that no longer works (revoked, expired, its department gone) is
 * replaced by a new one, which needs the admin key of the first start.
 */
public final class DemoKey {

    static final String NAME = "demo key (./factory up)";

    static final List<String> SCOPES = List.of("inference", "usage:read");

    private DemoKey() {
    }

    /**
     * The working demo key of the department named (or of the first department when none
     * has that name); empty when none works and none can be issued.
     * @param gatewayUrl the gateway's base URL
     * @param adminKeyFile the file holding an admin key, if it exists
     * @param demoKeyFile where the key is kept, owner-only
     * @param departmentName the department the key is issued for
     */
    public static Optional<String> ensure(String gatewayUrl, Path adminKeyFile, Path demoKeyFile, String departmentName)
            throws IOException, InterruptedException {
        if (Files.exists(demoKeyFile)) {
            String kept = Files.readString(demoKeyFile).strip();
            if (new GatewayCalls(gatewayUrl, kept).status("GET", "/v1/models") == 200) {
                return Optional.of(kept);
            }
        }
        if (!Files.exists(adminKeyFile)) {
            return Optional.empty();
        }
        GatewayCalls admin = new GatewayCalls(gatewayUrl, Files.readString(adminKeyFile).strip());
        Optional<String> department = department(admin, departmentName);
        if (department.isEmpty()) {
            return Optional.empty();
        }
        JsonNode issued = admin.call("POST", "/api/keys",
                Map.of("name", NAME, "departmentId", department.get(), "scopes", SCOPES), 201);
        String secret = issued.get("secret").asString();
        OwnerOnlyFiles.write(demoKeyFile, secret + "\n");
        return Optional.of(secret);
    }

    private static Optional<String> department(GatewayCalls admin, String name)
            throws IOException, InterruptedException {
        JsonNode departments = admin.call("GET", "/api/billing/departments", null, 200);
        Optional<String> first = Optional.empty();
        for (JsonNode department : departments) {
            if (department.path("name").asString().equalsIgnoreCase(name)) {
                return Optional.of(department.get("id").asString());
            }
            if (first.isEmpty()) {
                first = Optional.of(department.get("id").asString());
            }
        }
        return first;
    }

}
