package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;

/** A department's budget state as billing-service last reported it. */
@Entity
@Table(name = "department_budget")
class DepartmentBudget {

    @Id
    @Column(name = "department_id")
    private UUID departmentId;

    @Column(nullable = false)
    private String period;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private BudgetState state;

    @Column(name = "hard_cap", nullable = false)
    private boolean hardCap;

    @Column(nullable = false)
    private BigDecimal spent;

    @Column(name = "budget_limit")
    private BigDecimal limit;

    @Column(nullable = false)
    private String currency;

    @Column(name = "reported_at", nullable = false)
    private Instant reportedAt;

    protected DepartmentBudget() {
    }

    DepartmentBudget(UUID departmentId) {
        this.departmentId = departmentId;
        this.reportedAt = Instant.EPOCH;
    }

    /**
     * Applies a report unless a newer one was applied already (events may arrive out of
     * order).
     */
    boolean apply(BudgetStatusChanged report) {
        if (report.occurredAt().isBefore(reportedAt)) {
            return false;
        }
        period = report.period();
        state = report.state();
        hardCap = report.hardCap();
        spent = report.spent();
        limit = report.limit();
        currency = report.currency();
        reportedAt = report.occurredAt();
        return true;
    }

    boolean blocksInference() {
        return state == BudgetState.EXCEEDED && hardCap;
    }

    UUID departmentId() {
        return departmentId;
    }

}
