package io.tokenfactory.localrun;

import java.util.List;

/**
 * One of the five services as the local run starts it, with its own database (and a role
 * of the same name that owns it) and its own broker user. Public for the deploy module's
 * tests, which check docker-compose.yml and the Kubernetes manifests against this same
 * list.
 */
public record Service(String name, String module, int port, String database, String portVariable,
        String databaseVariable, String brokerUser) {

    public static final List<Service> ALL = List.of(
            new Service("billing-service", "billing-service", 8084, "tf_billing", "TF_BILLING_PORT",
                    "TF_BILLING_DATABASE", "tf-billing"),
            new Service("metering-service", "metering-service", 8083, "tf_metering", "TF_METERING_PORT",
                    "TF_METERING_DATABASE", "tf-metering"),
            new Service("inference-service", "inference-service", 8082, "tf_inference", "TF_INFERENCE_PORT",
                    "TF_INFERENCE_DATABASE", "tf-inference"),
            new Service("agent-service", "agent-service", 8081, "tf_agents", "TF_AGENTS_PORT", "TF_AGENTS_DATABASE",
                    "tf-agents"),
            new Service("gateway", "gateway", 8080, "tf_gateway", "TF_GATEWAY_PORT", "TF_GATEWAY_DATABASE",
                    "tf-gateway"));

    /** The service's own PostgreSQL role, named as its database. */
    public String databaseRole() {
        return database;
    }

    String url() {
        return "http://localhost:" + port;
    }
}
