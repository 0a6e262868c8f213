package io.tokenfactory.gateway.budget;

import java.util.UUID;

/** The store's name of a budget month: {@code scope:subject:period}. */
final class BudgetKeys {

    static final String DEPARTMENT = "department";

    static final String KEY = "key";

    static final String AGENT = "agent";

    record Parsed(String scope, UUID subject, String period) {
    }

    private BudgetKeys() {
    }

    static String of(String scope, UUID subject, String period) {
        return scope + ":" + subject + ":" + period;
    }

    static Parsed parse(String key) {
        String[] parts = key.split(":");
        return new Parsed(parts[0], UUID.fromString(parts[1]), parts[2]);
    }

}
