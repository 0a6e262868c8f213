package io.tokenfactory.billing.department;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates, reads and updates departments. Names and cost-centre codes are unique,
 * ignoring case.
 */
@Service
public class DepartmentCatalog {

    private final DepartmentRepository departments;

    private final ApplicationEventPublisher events;

    private final EntityManager entities;

    private final Clock clock;

    private final AuditTrail audit;

    DepartmentCatalog(DepartmentRepository departments, ApplicationEventPublisher events, EntityManager entities,
            Clock clock, AuditTrail audit) {
        this.departments = departments;
        this.events = events;
        this.entities = entities;
        this.clock = clock;
        this.audit = audit;
    }

    @Transactional
    public DepartmentView create(String name, String costCentreCode, BudgetPolicy policy) {
        String trimmedName = name.strip();
        String code = costCentreCode.strip();
        if (departments.existsByNameIgnoreCase(trimmedName)) {
            throw duplicate("name", trimmedName);
        }
        if (departments.existsByCostCentreCodeIgnoreCase(code)) {
            throw duplicate("cost-centre code", code);
        }
        DepartmentView created;
        try {
            created = DepartmentView
                .of(departments.saveAndFlush(new Department(trimmedName, code, policy, clock.instant())));
        }
        catch (DataIntegrityViolationException raced) {
            throw duplicate("name or cost-centre code", trimmedName + " / " + code);
        }
        audit.record("department.created", "department", created.id(), created.id(), null, created);
        return created;
    }

    @Transactional(readOnly = true)
    public List<DepartmentView> list() {
        return departments.findAllByOrderByNameAsc().stream().map(DepartmentView::of).toList();
    }

    @Transactional(readOnly = true)
    public DepartmentView get(UUID id) {
        return DepartmentView.of(find(id));
    }

    @Transactional
    public DepartmentView update(UUID id, String name, String costCentreCode, BudgetPolicy policy) {
        Department department = find(id);
        String trimmedName = name.strip();
        String code = costCentreCode.strip();
        if (departments.existsByNameIgnoreCaseAndIdNot(trimmedName, id)) {
            throw duplicate("name", trimmedName);
        }
        if (departments.existsByCostCentreCodeIgnoreCaseAndIdNot(code, id)) {
            throw duplicate("cost-centre code", code);
        }
        boolean policyChanged = !department.policy().equals(policy);
        DepartmentView before = DepartmentView.of(department);
        department.update(trimmedName, code, policy, clock.instant());
        DepartmentView updated;
        try {
            updated = DepartmentView.of(departments.saveAndFlush(department));
        }
        catch (DataIntegrityViolationException raced) {
            throw duplicate("name or cost-centre code", trimmedName + " / " + code);
        }
        audit.record("department.updated", "department", id, id, before, updated);
        if (policyChanged) {
            // a raised budget must lift a block now, not with the next charge (a
            // hard-capped department has none)
            events.publishEvent(new DepartmentPolicyChanged(id));
        }
        return updated;
    }

    /**
     * A department, or empty for one billing does not know (its usage is charged all the
     * same).
     */
    @Transactional(readOnly = true)
    public Optional<DepartmentView> lookup(UUID id) {
        return departments.findById(id).map(DepartmentView::of);
    }

    /**
     * The budget policy of a department, or empty for one billing does not know (usage is
     * charged all the same).
     */
    @Transactional(readOnly = true)
    public Optional<BudgetPolicy> policy(UUID id) {
        return departments.findById(id).map(Department::policy);
    }

    /**
     * The policy as committed right now, read past the persistence context (which may
     * hold the department as it was when the transaction began).
     */
    @Transactional(readOnly = true)
    public Optional<BudgetPolicy> currentPolicy(UUID id) {
        return departments.findById(id).map(department -> {
            entities.refresh(department);
            return department.policy();
        });
    }

    private Department find(UUID id) {
        return departments.findById(id)
            .orElseThrow(() -> ApiProblemException.notFound("department_not_found", "No department with id " + id));
    }

    private static ApiProblemException duplicate(String what, String value) {
        return ApiProblemException.conflict("department_exists",
                "A department with " + what + " '" + value + "' already exists");
    }

}
