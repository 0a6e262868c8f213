package io.tokenfactory.billing.department;

import java.util.UUID;

/**
 * Published inside the transaction that changed a department's budget or pricing, for
 * whoever keeps its spend.
 */
public record DepartmentPolicyChanged(UUID departmentId) {
}
