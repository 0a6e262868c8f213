package io.tokenfactory.billing.department;

import java.time.Instant;
import java.util.UUID;

/**
 * A department as the rest of the service sees it; the entity never leaves this package.
 */
public record DepartmentView(UUID id, String name, String costCentreCode, BudgetPolicy policy, Instant createdAt,
        Instant updatedAt, long version) {

    static DepartmentView of(Department department) {
        return new DepartmentView(department.id(), department.name(), department.costCentreCode(), department.policy(),
                department.createdAt(), department.updatedAt(), department.version());
    }
}
