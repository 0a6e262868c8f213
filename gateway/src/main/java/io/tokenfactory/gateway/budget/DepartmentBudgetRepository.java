package io.tokenfactory.gateway.budget;

import java.util.List;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface DepartmentBudgetRepository extends JpaRepository<DepartmentBudget, UUID> {

    @Query("select b.departmentId from DepartmentBudget b where b.state = io.tokenfactory.contracts.BudgetState.EXCEEDED and b.hardCap = true")
    List<UUID> findBlockedDepartments();

}
