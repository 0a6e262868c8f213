package io.tokenfactory.billing.department;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A department that consumes tokens and is charged back for them; everything else references it by id. */
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

    @Version
    private long version;

    protected Department() {
    }

    Department(String name, String costCentreCode, Instant now) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.costCentreCode = costCentreCode;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void rename(String newName, String newCostCentreCode, Instant now) {
        this.name = newName;
        this.costCentreCode = newCostCentreCode;
        this.updatedAt = now;
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
