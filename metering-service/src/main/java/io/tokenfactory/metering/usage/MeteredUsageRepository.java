package io.tokenfactory.metering.usage;

import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface MeteredUsageRepository extends JpaRepository<MeteredUsage, UUID> {

    long countByRequestId(String requestId);
}
