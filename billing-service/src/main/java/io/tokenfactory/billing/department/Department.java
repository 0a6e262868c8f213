package io.tokenfactory.billing.department;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A department that consumes tokens and is charged back for them; everything else
 * references it by id.
 */
@Entity
@Table(name = "department")
class Department {

    @Id
    private UUID id;

    @Column(nullable = false)
    private String name;

    @Column(name = "cost_centre_code", nullable = false)
    private String costCentreCode;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "monthly_budget")
    private BigDecimal monthlyBudget;

    @Column(name = "soft_alert_percent", nullable = false)
    private int softAlertPercent = 80;

    @Column(name = "hard_cap", nullable = false)
    private boolean hardCap;

    @Enumerated(EnumType.STRING)
    @Column(name = "pricing_mode", nullable = false)
    private PricingMode pricingMode = PricingMode.LIST_PRICE;

    @Column(name = "margin_percent", nullable = false)
    private BigDecimal marginPercent = BigDecimal.ZERO;

    @Enumerated(EnumType.STRING)
    @Column(name = "billing_mode", nullable = false)
    private BillingMode billingMode = BillingMode.CHARGEBACK;

    @Version
    private long version;

    protected Department() {
    }

    Department(String name, String costCentreCode, BudgetPolicy policy, Instant now) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.costCentreCode = costCentreCode;
        this.createdAt = now;
        apply(policy);
        this.updatedAt = now;
    }

    void update(String newName, String newCostCentreCode, BudgetPolicy policy, Instant now) {
        this.name = newName;
        this.costCentreCode = newCostCentreCode;
        apply(policy);
        this.updatedAt = now;
    }

    private void apply(BudgetPolicy policy) {
        this.monthlyBudget = policy.monthlyBudget();
        this.softAlertPercent = policy.softAlertPercent();
        this.hardCap = policy.hardCap();
        this.pricingMode = policy.pricingMode();
        this.marginPercent = policy.marginPercent();
        this.billingMode = policy.billingMode();
    }

    BudgetPolicy policy() {
        return new BudgetPolicy(monthlyBudget, softAlertPercent, hardCap, pricingMode, marginPercent, billingMode);
    }

    UUID id() {
        return id;
    }

    String name() {
        return name;
    }

    String costCentreCode() {
        return costCentreCode;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    long version() {
        return version;
    }

}
