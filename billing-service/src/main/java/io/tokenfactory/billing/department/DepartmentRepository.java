package io.tokenfactory.billing.department;

import java.util.List;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface DepartmentRepository extends JpaRepository<Department, UUID> {

    List<Department> findAllByOrderByNameAsc();

    boolean existsByNameIgnoreCase(String name);

    boolean existsByCostCentreCodeIgnoreCase(String costCentreCode);

    boolean existsByNameIgnoreCaseAndIdNot(String name, UUID id);

    boolean existsByCostCentreCodeIgnoreCaseAndIdNot(String costCentreCode, UUID id);

}
